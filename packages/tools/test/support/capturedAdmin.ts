/**
 * An MQAdminExt answering from a captured Java mqadmin run: each call finds the request Java sent for
 * it (same request code; the ext fields the call determines must equal Java's) and decodes the captured
 * answer with the decoders our MQAdminClient uses. A call Java did not make, or made with other
 * arguments, fails the command: the tests thereby also check what the commands ask.
 */
import {
  MQClientException,
  connectionsOf,
  decodePulledMessages,
  numOf,
  mqTable,
  type ConnectionInfo,
  type MessageExt,
  type MessageTrack,
} from "@rocketmq-ts/client";
import {
  decodeClusterInfo,
  decodeConsumerRunningInfo,
  decodeKVTable,
  decodeMessageId,
  decodeTopicList,
  decodeTopicRouteData,
  parseBody,
} from "@rocketmq-ts/common";
import { javaHashMapOrder, type JsonValue, type RemotingCommand } from "@rocketmq-ts/remoting";
import type { MQAdminExt } from "../../src/command/MQAdminExt.js";
import type { Capture, Exchange } from "./capture.js";
import { fakeAdmin } from "./fakeAdmin.js";

/** The capture's name server and broker (INDEX.md: ports). */
export const CAPTURED_NAMESRV = "127.0.0.1:39876";
export const CAPTURED_BROKER = "127.0.0.1:30911";
const CAPTURED_BROKER_NAME = "broker-a";

export function capturedAdmin(capture: Capture, overrides: Partial<MQAdminExt> = {}): MQAdminExt {
  /** Java's request `code` whose ext fields include `ext`, with its answer. */
  const exchange = (code: number, ext: Record<string, string> = {}): Exchange => {
    const found = capture.exchanges.find(
      ({ request }) => request.code === code && Object.entries(ext).every(([k, v]) => request.extFields?.[k] === v),
    );
    if (!found) throw new Error(`Java's mqadmin sent no request ${code} with ${JSON.stringify(ext)}`);
    return found;
  };
  const answer = (code: number, ext: Record<string, string> = {}): RemotingCommand => exchange(code, ext).response;
  /** The answer, which must be SUCCESS (as MQAdminClient.call). */
  const ok = (code: number, ext: Record<string, string> = {}): RemotingCommand => {
    const res = answer(code, ext);
    if (res.code !== 0) throw new MQClientException(res.code, res.remark ?? "");
    return res;
  };
  const connections = (body: Buffer | null, what: string): ConnectionInfo[] =>
    connectionsOf((parseBody(body, what) as Record<string, JsonValue>)["connectionSet"]);
  const num = numOf;

  const admin: MQAdminExt = fakeAdmin({
    namesrvAddrList: () => [CAPTURED_NAMESRV],
    call: async (_addr, request, accept = [0]) => {
      const res = answer(request.code, Object.fromEntries(Object.entries(request.extFields ?? {})));
      if (!accept.includes(res.code)) throw new MQClientException(res.code, res.remark ?? "");
      return res;
    },
    examineBrokerClusterInfo: async () => decodeClusterInfo(ok(106).body),
    examineTopicRouteInfo: async (topic) => decodeTopicRouteData(ok(105, { topic }).body),
    fetchAllTopicList: async () => decodeTopicList(ok(206).body).topicList,
    fetchBrokerRuntimeStats: async () => decodeKVTable(ok(28).body),
    examineTopicStats: async (topic) =>
      mqTable(ok(202, { topic }).body).map(([mq, v]) => ({
        ...mq,
        minOffset: num(v, "minOffset"),
        maxOffset: num(v, "maxOffset"),
        lastUpdateTimestamp: num(v, "lastUpdateTimestamp"),
      })),
    examineConsumeStats: async (group) => {
      const { body } = ok(208, { consumerGroup: group });
      return {
        consumeTps: Number((parseBody(body, "ConsumeStats") as Record<string, JsonValue>)["consumeTps"] ?? 0),
        progress: mqTable(body).map(([mq, v]) => ({
          ...mq,
          brokerOffset: num(v, "brokerOffset"),
          consumerOffset: num(v, "consumerOffset"),
          lastTimestamp: num(v, "lastTimestamp"),
        })),
      };
    },
    examineConsumerConnectionInfo: async (group) => {
      const { body } = ok(203, { consumerGroup: group });
      return {
        connections: connections(body, "ConsumerConnection"),
        body: parseBody(body, "ConsumerConnection") as Record<string, JsonValue>,
      };
    },
    getConsumerRunningInfo: async (group, clientId, jstack) =>
      decodeConsumerRunningInfo(
        ok(307, { consumerGroup: group, clientId, jstackEnable: String(jstack) }).body ?? Buffer.alloc(0),
      ),
    examineProducerConnectionInfo: async (group) =>
      connections(ok(204, { producerGroup: group }).body, "ProducerConnection"),
    createAndUpdateTopicConfig: async (_addr, c) => {
      ok(17, {
        topic: c.topicName,
        readQueueNums: String(c.readQueueNums),
        writeQueueNums: String(c.writeQueueNums),
        perm: String(c.perm),
        topicFilterType: c.topicFilterType,
        topicSysFlag: String(c.topicSysFlag),
        order: String(c.order),
      });
    },
    deleteTopicInBroker: async (_addr, topic) => void ok(215, { topic }),
    deleteTopicInNameServer: async (_ns, topic, clusterName) =>
      void ok(216, { topic, ...(clusterName ? { clusterName } : {}) }),
    getBrokerConfig: async () => ok(26).body?.toString("latin1") ?? "",
    updateBrokerConfig: async (_addr, props) => {
      ok(25);
      const javaBody = exchange(25).request.body?.toString();
      const ours = [...props].map(([k, v]) => `${k}=${v}\n`).join("");
      if (javaBody !== ours) throw new Error(`Java updated ${JSON.stringify(javaBody)}, we ${JSON.stringify(ours)}`);
    },
    operateWritePerm: async (_ns, brokerName, op) =>
      Number(ok(op === "wipe" ? 205 : 327, { brokerName }).extFields?.[`${op}TopicCount`] ?? 0),
    getNameServerConfig: async () => ok(319).body?.toString("utf8") ?? "",
    putKVConfig: async (namespace, key, value) => void ok(100, { namespace, key, value }),
    deleteKVConfig: async (namespace, key) => void ok(102, { namespace, key }),
    createAndUpdateSubscriptionGroupConfig: async (_addr, config) => {
      ok(200);
      const javaConfig = parseBody(exchange(200).request.body, "SubscriptionGroupConfig") as Record<string, JsonValue>;
      // every field we send carries Java's value (Java also sends fields the command cannot set)
      for (const [k, v] of Object.entries(config))
        if (javaConfig[k] !== v) throw new Error(`${k}: Java sent ${String(javaConfig[k])}, we ${String(v)}`);
    },
    queryMessageByKey: async (topic, key) => {
      const found = decodePulledMessages(ok(12, { topic, key }).body ?? Buffer.alloc(0), CAPTURED_BROKER_NAME);
      return found.filter((m) => (m.keys ?? "").split(" ").includes(key));
    },
    viewMessage: async (offsetMsgId) => {
      const offset = String(decodeMessageId(offsetMsgId).commitLogOffset);
      const [msg] = decodePulledMessages(ok(33, { offset }).body ?? Buffer.alloc(0), "");
      if (!msg) throw new Error("the captured answer holds no message");
      return msg;
    },
    viewMessageByUniqKey: async (topic, msgId) => {
      const found = decodePulledMessages(ok(12, { topic, key: msgId }).body ?? Buffer.alloc(0), CAPTURED_BROKER_NAME);
      const msg = found.find((m) => m.msgId === msgId);
      if (!msg) throw new Error("the captured answer holds no such message");
      return msg;
    },
    messageTrackDetail: (msg) => trackFromCapture(admin, answer, msg),
    resetOffsetByTimestamp: async (topic, group, timestamp, isForce) =>
      mqTable(ok(222, { topic, group, timestamp: String(timestamp), isForce: String(isForce) }).body).map(
        ([mq, v]) => ({ ...mq, offset: Number(v) }),
      ),
    ...overrides,
  });
  return admin;
}

/**
 * The tracks Java's messageTrackDetail derived from the captured answers (groups of the topic; whether
 * each is online, pulls, or has consumed past the message), for the cases the captures hold.
 */
async function trackFromCapture(
  admin: MQAdminExt,
  answer: (code: number, ext?: Record<string, string>) => RemotingCommand,
  msg: MessageExt,
): Promise<MessageTrack[]> {
  const groupList = (parseBody(answer(300, { topic: msg.topic }).body, "GroupList") as Record<string, JsonValue>)[
    "groupList"
  ];
  const tracks: MessageTrack[] = [];
  for (const group of javaHashMapOrder(Array.isArray(groupList) ? groupList.map(String) : [])) {
    const res = answer(203, { consumerGroup: group });
    if (res.code !== 0) {
      tracks.push({
        consumerGroup: group,
        trackType: res.code === 206 ? "NOT_ONLINE" : "UNKNOWN",
        exceptionDesc: `CODE:${res.code} DESC:${res.remark ?? ""}`,
      });
      continue;
    }
    const { body } = await admin.examineConsumerConnectionInfo(group);
    if (body["consumeType"] === "CONSUME_ACTIVELY") {
      tracks.push({ consumerGroup: group, trackType: "PULL", exceptionDesc: null });
      continue;
    }
    const { progress } = await admin.examineConsumeStats(group);
    const consumed = progress.some(
      (p) => p.topic === msg.topic && p.queueId === msg.queueId && p.consumerOffset > msg.queueOffset,
    );
    tracks.push({ consumerGroup: group, trackType: consumed ? "CONSUMED" : "NOT_CONSUME_YET", exceptionDesc: null });
  }
  return tracks;
}
