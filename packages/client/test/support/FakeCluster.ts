/**
 * An in-memory name server + broker set answering what MQClientInstance and MQAdminClient send
 * through their remoting client, so consumers and producers can be tested without sockets.
 * The model: topics with queues of stored records, committed offsets per group, the consumer ids
 * of each group, queue locks. Every request is recorded as sent.
 */
import { encodeRecord, encodeTopicRouteData, parseHost, type TopicRouteData } from "@rocketmq-ts/common";
import { Socket } from "node:net";
import pino from "pino";
import {
  Connection,
  createResponse,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
  type RequestProcessor,
  type RPCHook,
} from "@rocketmq-ts/remoting";
import type { ClientRemoting } from "../../src/index.js";

export const NAMESRV = "127.0.0.1:9876";
export const BROKER_NAME = "broker-a";
export const MASTER = "10.0.0.1:10911";
export const SLAVE = "10.0.0.2:10911";

export interface SentRequest {
  addr: string | null;
  oneway: boolean;
  cmd: RemotingCommand;
}

interface StoredMessage {
  body: string;
  tags?: string;
}

/** What a test can answer a PULL_MESSAGE with instead of the model's answer. */
export type PullAnswer = (req: RemotingCommand, addr: string) => RemotingCommand | undefined;

export class FakeCluster {
  readonly sent: SentRequest[] = [];
  /** topic → queue id → messages in offset order. */
  readonly queues = new Map<string, StoredMessage[][]>();
  /** `${group}@${topic}@${queueId}` → committed offset. */
  readonly committed = new Map<string, number>();
  /** group → consumer ids the broker knows (set by heartbeats, or by the test). */
  readonly consumerIds = new Map<string, string[]>();
  withSlave = false;
  pullAnswer: PullAnswer | null = null;
  /** Client-side processors registered by each remoting client (broker → client requests). */
  readonly processors = new Map<number, RequestProcessor>();

  createTopic(topic: string, queueNums: number): void {
    this.queues.set(
      topic,
      Array.from({ length: queueNums }, () => []),
    );
  }

  put(topic: string, queueId: number, ...msgs: StoredMessage[]): void {
    const q = this.queues.get(topic)?.[queueId];
    if (!q) throw new Error(`no queue ${topic}:${queueId}`);
    q.push(...msgs);
  }

  /** A broker → client request (CHECK_TRANSACTION_STATE, NOTIFY_CONSUMER_IDS_CHANGED…) handed to the client. */
  async deliver(req: RemotingCommand, remoteAddr = MASTER): Promise<RemotingCommand | null> {
    const processor = this.processors.get(req.code);
    if (!processor) throw new Error(`the client registered no processor for ${req.code}`);
    const connection = new Connection(new Socket(), {
      maxFrameLength: 16 * 1024 * 1024,
      idleTimeoutMs: 0,
      writeHighWaterMark: 1024 * 1024,
      logger: pino({ level: "silent" }),
    });
    try {
      return await processor(req, { connection, remoteAddr });
    } finally {
      connection.close();
    }
  }

  requests(code: number): RemotingCommand[] {
    return this.sent.filter((s) => s.cmd.code === code).map((s) => s.cmd);
  }

  /** A remoting client bound to this cluster. */
  client(): ClientRemoting {
    let namesrv: string[] = [];
    const hooks: RPCHook[] = [];
    const invoke = (addr: string | null, req: RemotingCommand, oneway: boolean): RemotingCommand => {
      for (const h of hooks) h.doBeforeRequest(addr ?? NAMESRV, req);
      this.sent.push({ addr, oneway, cmd: { ...req, extFields: req.extFields ? { ...req.extFields } : null } });
      return this.answer(addr ?? NAMESRV, req);
    };
    return {
      invokeSync: (addr, req) => Promise.resolve(invoke(addr, req, false)),
      // a long poll with nothing to return is held a moment, as the broker suspends it
      invokeAsync: async (addr, req) => {
        const res = invoke(addr, req, false);
        if (res.code === ResponseCode.PULL_NOT_FOUND) await new Promise((r) => setTimeout(r, 20));
        return res;
      },
      invokeOneway: (addr, req) => {
        invoke(addr, req, true);
        return Promise.resolve();
      },
      registerProcessor: (code, processor) => void this.processors.set(code, processor),
      registerRPCHook: (hook) => void hooks.push(hook),
      updateNameServerAddressList: (addrs) => void (namesrv = [...addrs]),
      getNameServerAddressList: () => [...namesrv],
      shutdown: () => Promise.resolve(),
    };
  }

  private route(topic: string): TopicRouteData | null {
    const qs = this.queues.get(topic);
    if (!qs) return null;
    const brokerAddrs = new Map<number, string>([[0, MASTER]]);
    if (this.withSlave) brokerAddrs.set(1, SLAVE);
    return {
      queueDatas: [
        { brokerName: BROKER_NAME, readQueueNums: qs.length, writeQueueNums: qs.length, perm: 6, topicSysFlag: 0 },
      ],
      brokerDatas: [{ cluster: "DefaultCluster", brokerName: BROKER_NAME, brokerAddrs }],
      filterServerTable: new Map(),
    };
  }

  private queue(req: RemotingCommand): StoredMessage[] | undefined {
    const ext = req.extFields ?? {};
    return this.queues.get(ext["topic"] ?? "")?.[Number(ext["queueId"])];
  }

  private answer(addr: string, req: RemotingCommand): RemotingCommand {
    const ext = req.extFields ?? {};
    const ok = (extFields?: Record<string, string>, body?: Buffer): RemotingCommand =>
      createResponse(req, ResponseCode.SUCCESS, { ...(extFields ? { extFields } : {}), ...(body ? { body } : {}) });
    switch (req.code) {
      case RequestCode.GET_ROUTEINFO_BY_TOPIC: {
        const route = this.route(ext["topic"] ?? "");
        return route
          ? ok(undefined, encodeTopicRouteData(route, false))
          : createResponse(req, ResponseCode.TOPIC_NOT_EXIST, { remark: "no topic" });
      }
      case RequestCode.HEART_BEAT: {
        const hb = JSON.parse(req.body?.toString("utf8") ?? "{}") as {
          clientID: string;
          consumerDataSet?: { groupName: string }[];
        };
        for (const c of hb.consumerDataSet ?? []) {
          const ids = this.consumerIds.get(c.groupName) ?? [];
          if (!ids.includes(hb.clientID)) this.consumerIds.set(c.groupName, [...ids, hb.clientID]);
        }
        return ok();
      }
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
        return ok(
          undefined,
          Buffer.from(JSON.stringify({ consumerIdList: this.consumerIds.get(ext["consumerGroup"] ?? "") ?? [] })),
        );
      case RequestCode.QUERY_CONSUMER_OFFSET: {
        const offset = this.committed.get(`${ext["consumerGroup"]}@${ext["topic"]}@${ext["queueId"]}`);
        return offset === undefined
          ? createResponse(req, ResponseCode.QUERY_NOT_FOUND, { remark: "Not found" })
          : ok({ offset: String(offset) });
      }
      case RequestCode.UPDATE_CONSUMER_OFFSET:
        this.committed.set(`${ext["consumerGroup"]}@${ext["topic"]}@${ext["queueId"]}`, Number(ext["commitOffset"]));
        return ok();
      case RequestCode.GET_MAX_OFFSET:
        return ok({ offset: String(this.queue(req)?.length ?? 0) });
      case RequestCode.GET_MIN_OFFSET:
      case RequestCode.SEARCH_OFFSET_BY_TIMESTAMP:
        return ok({ offset: "0" });
      case RequestCode.PULL_MESSAGE:
        return this.pullAnswer?.(req, addr) ?? this.pull(req);
      case RequestCode.LOCK_BATCH_MQ: {
        const body = JSON.parse(req.body?.toString("utf8") ?? "{}") as { mqSet?: unknown[] };
        return ok(undefined, Buffer.from(JSON.stringify({ lockOKMQSet: body.mqSet ?? [] })));
      }
      case RequestCode.SEND_MESSAGE_V2:
      case RequestCode.SEND_MESSAGE:
      case RequestCode.SEND_BATCH_MESSAGE: {
        const topic = ext["b"] ?? ext["topic"] ?? "";
        const queueId = Number(ext["e"] ?? ext["queueId"]);
        if (!this.queues.has(topic)) this.createTopic(topic, 4);
        const q = this.queues.get(topic)?.[queueId] ?? [];
        q.push({ body: req.body?.toString("utf8") ?? "" });
        return ok({
          msgId: "0A00000100002A9F0000000000000000",
          queueId: String(queueId),
          queueOffset: String(q.length - 1),
        });
      }
      default:
        return ok();
    }
  }

  /** FOUND with up to maxMsgNums records, NOT_FOUND at the end, OFFSET_MOVED past it. */
  private pull(req: RemotingCommand): RemotingCommand {
    const ext = req.extFields ?? {};
    const q = this.queue(req) ?? [];
    const offset = Number(ext["queueOffset"]);
    const header = (next: number): Record<string, string> => ({
      suggestWhichBrokerId: "0",
      nextBeginOffset: String(next),
      minOffset: "0",
      maxOffset: String(q.length),
    });
    if (offset > q.length) return createResponse(req, ResponseCode.PULL_OFFSET_MOVED, { extFields: header(q.length) });
    if (offset === q.length) return createResponse(req, ResponseCode.PULL_NOT_FOUND, { extFields: header(offset) });
    const picked = q.slice(offset, offset + Number(ext["maxMsgNums"]));
    const records = picked.map((m, i) => storedRecord(ext["topic"] ?? "", Number(ext["queueId"]), offset + i, m));
    return createResponse(req, ResponseCode.SUCCESS, {
      extFields: header(offset + picked.length),
      body: Buffer.concat(records),
    });
  }
}

/** The record a broker would store for a message at a queue offset. */
export function storedRecord(topic: string, queueId: number, queueOffset: number, m: StoredMessage): Buffer {
  const props = [`UNIQ_KEY\u0001U${topic}-${queueId}-${queueOffset}`];
  if (m.tags !== undefined) props.push(`TAGS\u0001${m.tags}`);
  return encodeRecord(
    {
      topic,
      queueId,
      flag: 0,
      body: Buffer.from(m.body),
      propertiesString: props.join("\u0002"),
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000,
      bornHost: parseHost("10.0.0.9:50000"),
      storeHost: parseHost(MASTER),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    },
    queueOffset,
    1000 + queueOffset * 100,
    1_700_000_000_001,
  );
}
