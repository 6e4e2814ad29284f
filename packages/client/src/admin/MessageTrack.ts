/** Java's MessageTrack: has each group consuming a message's topic consumed it (mqadmin queryMsgById and friends). */
import { MixAll, type ClusterInfo } from "@rocketmq-ts/common";
import { ResponseCode, type JsonMap, type JsonValue } from "@rocketmq-ts/remoting";
import type { MessageExt } from "../message/Message.js";
import type { MQAdminClient } from "../MQAdminClient.js";
import { MQClientException } from "../MQClientException.js";

/** Java's MessageTrack (printed through its toString). */
export interface MessageTrack {
  consumerGroup: string;
  trackType: "CONSUMED" | "CONSUMED_BUT_FILTERED" | "PULL" | "NOT_CONSUME_YET" | "NOT_ONLINE" | "UNKNOWN";
  exceptionDesc: string | null;
}

export function messageTrackToString(t: MessageTrack): string {
  return `MessageTrack [consumerGroup=${t.consumerGroup}, trackType=${t.trackType}, exceptionDesc=${t.exceptionDesc ?? "null"}]`;
}

/** Java's messageTrackDetail: for every group that consumes the topic, has it consumed `msg`? */
export async function messageTrackDetail(admin: MQAdminClient, msg: MessageExt): Promise<MessageTrack[]> {
  const out: MessageTrack[] = [];
  // cluster info is fetched once, and only if some group consumes passively
  let info: ClusterInfo | undefined;
  for (const group of await admin.queryTopicConsumeByWho(msg.topic)) {
    const track: MessageTrack = { consumerGroup: group, trackType: "UNKNOWN", exceptionDesc: null };
    out.push(track);
    let connection: Record<string, JsonValue>;
    try {
      connection = (await admin.examineConsumerConnectionInfo(group)).body;
    } catch (e) {
      if (e instanceof MQClientException) {
        if (e.responseCode === ResponseCode.CONSUMER_NOT_ONLINE) track.trackType = "NOT_ONLINE";
        track.exceptionDesc = `CODE:${e.responseCode} DESC:${e.errorMessage}`;
      } else {
        track.exceptionDesc = String(e);
      }
      continue;
    }
    if (connection["consumeType"] === "CONSUME_ACTIVELY") {
      track.trackType = "PULL";
      continue;
    }
    const { progress } = await admin.examineConsumeStats(group);
    const storeHost = msg.storeHost;
    info ??= await admin.examineBrokerClusterInfo();
    const masters = info;
    const consumed = progress.some(
      (p) =>
        p.topic === msg.topic &&
        p.queueId === msg.queueId &&
        masters.brokerAddrTable.get(p.brokerName)?.brokerAddrs.get(MixAll.MASTER_ID) === storeHost &&
        p.consumerOffset > msg.queueOffset,
    );
    track.trackType = consumed ? "CONSUMED" : "NOT_CONSUME_YET";
    if (consumed) {
      const subs = connection["subscriptionTable"];
      const sub =
        subs instanceof Map
          ? (subs as JsonMap).get(msg.topic)
          : subs && typeof subs === "object" && !Array.isArray(subs)
            ? (subs as Record<string, JsonValue>)[msg.topic]
            : undefined;
      const tags =
        sub && typeof sub === "object" && !Array.isArray(sub)
          ? (sub as Record<string, JsonValue>)["tagsSet"]
          : undefined;
      const set = Array.isArray(tags) ? tags.map(String) : [];
      if (sub && set.length > 0 && !set.includes("*") && !(msg.tags !== undefined && set.includes(msg.tags)))
        track.trackType = "CONSUMED_BUT_FILTERED";
    }
  }
  return out;
}
