/**
 * `mqadmin updateSubGroup`: create or update a subscription group on a broker or every master of a
 * cluster (Java's UpdateSubGroupSubCommand; unset options keep SubscriptionGroupConfig's defaults).
 */
import { fetchMasterAddrByClusterName } from "../CommandUtil.js";
import { str, type SubCommand } from "../SubCommand.js";

export const updateSubGroupCommand: SubCommand = {
  name: "updateSubGroup",
  desc: "Update or create subscription group",
  options: [
    ["-b, --brokerAddr <arg>", "create subscription group to which broker", false],
    ["-c, --clusterName <arg>", "create subscription group to which cluster", false],
    ["-g, --groupName <arg>", "consumer group name", true],
    ["-s, --consumeEnable <arg>", "consume enable", false],
    ["-m, --consumeFromMinEnable <arg>", "from min offset", false],
    ["-d, --consumeBroadcastEnable <arg>", "broadcast", false],
    ["-o, --consumeMessageOrderly <arg>", "consume message orderly", false],
    ["-q, --retryQueueNums <arg>", "retry queue nums", false],
    ["-r, --retryMaxTimes <arg>", "retry max times", false],
    ["-i, --brokerId <arg>", "consumer from which broker id", false],
    ["-w, --whichBrokerWhenConsumeSlowly <arg>", "which broker id when consume slowly", false],
    ["-a, --notifyConsumerIdsChanged <arg>", "notify consumerId changed", false],
  ],
  async run(opts, { admin, out }) {
    const bool = (k: string, d: boolean): boolean => (opts[k] === undefined ? d : str(opts, k) === "true");
    const num = (k: string, d: number): number => (opts[k] === undefined ? d : Number(opts[k]));
    // keys in fastjson's (alphabetical) order: this object is the request body
    const config = {
      brokerId: num("brokerId", 0),
      consumeBroadcastEnable: bool("consumeBroadcastEnable", false),
      consumeEnable: bool("consumeEnable", true),
      consumeFromMinEnable: bool("consumeFromMinEnable", false),
      // 5.x (orderly POP for FIFO groups); sent only when given, so 4.9.8 brokers see their body
      ...(opts["consumeMessageOrderly"] !== undefined
        ? { consumeMessageOrderly: bool("consumeMessageOrderly", false) }
        : {}),
      groupName: str(opts, "groupName"),
      notifyConsumerIdsChangedEnable: bool("notifyConsumerIdsChanged", true),
      retryMaxTimes: num("retryMaxTimes", 16),
      retryQueueNums: num("retryQueueNums", 1),
      whichBrokerWhenConsumeSlowly: num("whichBrokerWhenConsumeSlowly", 1),
    };
    const addrs = opts["brokerAddr"]
      ? [str(opts, "brokerAddr")]
      : await fetchMasterAddrByClusterName(admin, str(opts, "clusterName"));
    for (const addr of addrs) {
      await admin.createAndUpdateSubscriptionGroupConfig(addr, config);
      out(`create subscription group to ${addr} success.\n`);
    }
    out(
      `SubscriptionGroupConfig [groupName=${config.groupName}, consumeEnable=${config.consumeEnable}, consumeFromMinEnable=${config.consumeFromMinEnable}, consumeBroadcastEnable=${config.consumeBroadcastEnable}, retryQueueNums=${config.retryQueueNums}, retryMaxTimes=${config.retryMaxTimes}, brokerId=${config.brokerId}, whichBrokerWhenConsumeSlowly=${config.whichBrokerWhenConsumeSlowly}, notifyConsumerIdsChangedEnable=${config.notifyConsumerIdsChangedEnable}]`,
    );
  },
};
