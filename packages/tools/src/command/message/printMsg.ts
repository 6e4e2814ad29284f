/**
 * A stored message as Java's QueryMsgByIdSubCommand.printMsg shows it: key lines (%-20s), the body
 * written to /tmp/rocketmq/msgbodys/<msgId>, then each consumer group's MessageTrack.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { messageTrackToString, type MessageExt } from "@rocketmq-ts/client";
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { formatDate, javaFormat } from "../../format.js";
import type { MQAdminExt } from "../MQAdminExt.js";
import type { Out } from "../SubCommand.js";

/** Where Java's tool writes message bodies. */
export const MSG_BODY_DIR = "/tmp/rocketmq/msgbodys";

export async function printMsg(admin: MQAdminExt, msg: MessageExt, out: Out, withOffsetId: boolean): Promise<void> {
  mkdirSync(MSG_BODY_DIR, { recursive: true });
  const bodyPath = `${MSG_BODY_DIR}/${msg.msgId}`;
  writeFileSync(bodyPath, msg.body);
  const line = (k: string, v: string | number): void =>
    out(javaFormat(typeof v === "number" ? "%-20s %d%n" : "%-20s %s%n", k, v));
  if (withOffsetId) line("OffsetID:", msg.offsetMsgId);
  line("Topic:", msg.topic);
  line("Tags:", `[${msg.tags ?? "null"}]`);
  line("Keys:", `[${msg.keys ?? "null"}]`);
  line("Queue ID:", msg.queueId);
  line("Queue Offset:", msg.queueOffset);
  line("CommitLog Offset:", msg.commitLogOffset);
  line("Reconsume Times:", msg.reconsumeTimes);
  line("Born Timestamp:", formatDate(msg.bornTimestamp, true));
  line("Store Timestamp:", formatDate(msg.storeTimestamp, true));
  line("Born Host:", msg.bornHost);
  line("Store Host:", msg.storeHost);
  line("System Flag:", msg.sysFlag);
  // java.util.HashMap.toString
  const props = javaHashMapOrder([...msg.properties.keys()]).map((k) => `${k}=${msg.properties.get(k) ?? ""}`);
  line("Properties:", `{${props.join(", ")}}`);
  line("Message Body Path:", bodyPath);
  const tracks = await admin.messageTrackDetail(msg);
  if (tracks.length === 0) {
    out(javaFormat("%n%nWARN: No Consumer"));
  } else {
    out(javaFormat("%n%n"));
    for (const t of tracks) out(messageTrackToString(t));
  }
}
