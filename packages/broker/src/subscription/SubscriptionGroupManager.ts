/** Consumer-group configurations (subscriptionGroup.json), with Java's built-in groups and auto-creation. */
import { bool, num, obj, str, type DataVersion } from "@rocketmq-ts/common";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { VersionedConfigManager } from "../config/VersionedConfigManager.js";

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  /** 5.x: the group consumes FIFO topics in order (orderly POP); absent in 4.9.8's files, false. */
  consumeMessageOrderly?: boolean;
}

export function newSubscriptionGroupConfig(
  groupName: string,
  init: Partial<SubscriptionGroupConfig> = {},
): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    ...init,
  };
}

export function decodeSubscriptionGroupConfig(v: JsonValue | undefined, path: string): SubscriptionGroupConfig {
  const o = obj(v, path);
  const d = newSubscriptionGroupConfig(str(o["groupName"], `${path}.groupName`));
  return {
    groupName: d.groupName,
    consumeEnable: bool(o["consumeEnable"], `${path}.consumeEnable`, d.consumeEnable),
    consumeFromMinEnable: bool(o["consumeFromMinEnable"], `${path}.consumeFromMinEnable`, d.consumeFromMinEnable),
    consumeBroadcastEnable: bool(
      o["consumeBroadcastEnable"],
      `${path}.consumeBroadcastEnable`,
      d.consumeBroadcastEnable,
    ),
    retryQueueNums: num(o["retryQueueNums"], `${path}.retryQueueNums`, d.retryQueueNums),
    retryMaxTimes: num(o["retryMaxTimes"], `${path}.retryMaxTimes`, d.retryMaxTimes),
    brokerId: num(o["brokerId"], `${path}.brokerId`, d.brokerId),
    whichBrokerWhenConsumeSlowly: num(
      o["whichBrokerWhenConsumeSlowly"],
      `${path}.whichBrokerWhenConsumeSlowly`,
      d.whichBrokerWhenConsumeSlowly,
    ),
    notifyConsumerIdsChangedEnable: bool(
      o["notifyConsumerIdsChangedEnable"],
      `${path}.notifyConsumerIdsChangedEnable`,
      d.notifyConsumerIdsChangedEnable,
    ),
    ...(o["consumeMessageOrderly"] !== undefined
      ? { consumeMessageOrderly: bool(o["consumeMessageOrderly"], `${path}.consumeMessageOrderly`, false) }
      : {}),
  };
}

const BUILT_IN_GROUPS = [
  "TOOLS_CONSUMER",
  "FILTERSRV_CONSUMER",
  "SELF_TEST_C_GROUP",
  "CID_ONS-HTTP-PROXY",
  "CID_ONSAPI_PULL",
  "CID_ONSAPI_PERMISSION",
  "CID_ONSAPI_OWNER",
];

/** subscriptionGroup.json as written: the data version and group name → SubscriptionGroupConfig. */
interface SubscriptionGroupFile {
  dataVersion: DataVersion;
  subscriptionGroupTable: Map<string, SubscriptionGroupConfig>;
}

export class SubscriptionGroupManager extends VersionedConfigManager<SubscriptionGroupConfig, SubscriptionGroupFile> {
  constructor(
    storeRoot: string,
    private readonly autoCreate: () => boolean,
    private readonly logger: Logger,
  ) {
    super(storeRoot, "subscriptionGroup.json", "subscriptionGroupTable", logger);
    for (const g of BUILT_IN_GROUPS) this.subscriptionGroupTable.set(g, newSubscriptionGroupConfig(g));
  }

  get subscriptionGroupTable(): Map<string, SubscriptionGroupConfig> {
    return this.table;
  }

  protected decodeRow(json: JsonValue, name: string): SubscriptionGroupConfig {
    return decodeSubscriptionGroupConfig(json, name);
  }

  protected rowName(config: SubscriptionGroupConfig): string {
    return config.groupName;
  }

  protected encode(): SubscriptionGroupFile {
    return { dataVersion: this.dataVersion, subscriptionGroupTable: this.subscriptionGroupTable };
  }

  /** The group's config, auto-created with defaults when `autoCreateSubscriptionGroup` (Java default). */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    let config = this.subscriptionGroupTable.get(group);
    if (!config && this.autoCreate()) {
      config = newSubscriptionGroupConfig(group);
      this.subscriptionGroupTable.set(group, config);
      this.logger.info({ config }, "auto create a subscription group");
      this.bumpDataVersionAndPersist();
    }
    return config;
  }

  updateSubscriptionGroupConfig(config: SubscriptionGroupConfig): void {
    this.subscriptionGroupTable.set(config.groupName, config);
    this.bumpDataVersionAndPersist();
  }

  deleteSubscriptionGroupConfig(group: string): void {
    if (this.subscriptionGroupTable.delete(group)) this.bumpDataVersionAndPersist();
  }
}
