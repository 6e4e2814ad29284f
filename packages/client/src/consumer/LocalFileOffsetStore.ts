/**
 * Broadcasting consumers keep their offsets on local disk (Java's LocalFileOffsetStore):
 * `${rocketmq.client.localOffsetStoreDir:-~/.rocketmq_offsets}/<clientId>/<group>/offsets.json`,
 * written as `{"offsetTable":{MessageQueue:offset}}` (fastjson pretty) with a `.bak` of the previous one.
 * As in Java the client id carries the instance name, so offsets survive a restart only with a fixed
 * `instanceName`.
 */
import { join } from "node:path";
import { loadWithBackup, string2File, systemProperty, userHome } from "@rocketmq-ts/common";
import { stringifyFastjson } from "@rocketmq-ts/remoting";
import { mqTable } from "../MQAdminClient.js";
import { mqKey, type MessageQueue } from "../message/Message.js";

export class LocalFileOffsetStore {
  readonly storePath: string;

  constructor(clientId: string, group: string) {
    const dir = systemProperty("rocketmq.client.localOffsetStoreDir") ?? join(userHome(), ".rocketmq_offsets");
    this.storePath = join(dir, clientId, group, "offsets.json");
  }

  /** mqKey → offset; empty when nothing was stored. */
  load(): Map<string, number> {
    const table = loadWithBackup(this.storePath, (text) => mqTable(Buffer.from(text, "utf8")));
    return new Map((table ?? []).map(([mq, offset]) => [mqKey(mq), Number(offset)]));
  }

  persist(entries: { mq: MessageQueue; offset: number }[]): void {
    if (entries.length === 0) return;
    const offsetTable = new Map(
      entries.map(({ mq, offset }) => [{ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic }, offset]),
    );
    string2File(stringifyFastjson({ offsetTable }, { pretty: true }), this.storePath);
  }
}
