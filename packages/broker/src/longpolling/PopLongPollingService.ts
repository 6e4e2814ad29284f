/**
 * Long polling of POP and NOTIFICATION requests (Java 5.3.3's PopLongPollingService and PopRequest).
 *
 * A request that found nothing is parked under `topic@group@queueId` (queueId -1 for "any queue")
 * until `bornTime + pollTime`; it counts as timed out 50 ms before that. Limits: more than
 * popPollingSize parked under one key, or maxPopPollingSize in all → POLLING_FULL. A 20 ms tick
 * wakes the timed-out ones; a message arriving on a topic-queue wakes the earliest-expiring request
 * of each group polling that queue and of each polling "any queue" (unless its filter refuses the
 * message; every popLongPollingForceNotifyInterval-th offset wakes regardless). Waking re-runs the
 * whole request, which then answers with messages, parks again, or POLLING_TIMEOUT.
 *
 * Arrivals on a V2 retry topic (`%RETRY%group+topic`) notify the normal topic, as Java. Deliberate
 * difference: arrivals on a V1 retry topic (`%RETRY%group_topic`, the default) also wake that
 * group's pollers of the topic — Java parks them until their poll time runs out, which delays every
 * revived message by up to a poll time.
 */
import { buildPollingKey, buildPopRetryTopicV1, isPopRetryTopicV2, parseNormalTopic } from "@rocketmq-ts/common";
import type { Connection, RemotingCommand } from "@rocketmq-ts/remoting";
import type { MessageFilter } from "@rocketmq-ts/store";

export interface PopRequest {
  readonly request: RemotingCommand;
  readonly connection: Connection;
  /** bornTime + pollTime */
  readonly expired: number;
  /** the POP's filter, checked against an arriving message before waking (null: any message) */
  readonly filter: MessageFilter | null;
  /** insertion number: orders requests expiring at the same time */
  readonly seq: number;
  completed: boolean;
}

export type PollingResult = "POLLING_SUC" | "POLLING_FULL" | "POLLING_TIMEOUT" | "NOT_POLLING";

export interface PollingHeader {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly queueId: number;
  readonly bornTime: number;
  readonly pollTime: number;
}

export interface PopLongPollingOptions {
  /** Re-run a woken request and write its answer. */
  readonly wakeUp: (req: PopRequest) => void;
  readonly now?: () => number;
  readonly popPollingSize: () => number;
  readonly maxPopPollingSize: () => number;
  readonly forceNotifyInterval: () => number;
  readonly tickMs?: number;
}

const TIMEOUT_MARGIN_MS = 50;

/**
 * An arriving message's properties, read only when a parked request's filter needs them (parsing
 * them for every dispatched message costs the dispatch even when nobody polls).
 */
export type ArrivingProperties = () => Map<string, string> | null;

export class PopLongPollingService {
  private readonly pollingMap = new Map<string, PopRequest[]>();
  /** topic → the groups that polled it */
  private readonly topicCidMap = new Map<string, Set<string>>();
  /** V1 retry topic → [topic, group] polled */
  private readonly retryV1Map = new Map<string, [string, string]>();
  private totalPollingNum = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: PopLongPollingOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    if (this.timer) return;
    this.timer = setInterval(() => this.wakeUpTimedOut(), this.options.tickMs ?? 20);
    this.timer.unref();
  }

  /** Stop polling; every parked request is woken (and answers with what it finds). */
  shutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const [key, queue] of [...this.pollingMap]) {
      this.pollingMap.delete(key);
      for (const req of queue) this.wakeUp(req);
    }
    this.totalPollingNum = 0;
  }

  isTimeout(req: Pick<PopRequest, "expired">): boolean {
    return this.now() > req.expired - TIMEOUT_MARGIN_MS;
  }

  /** Park the request, or say why not. */
  polling(
    connection: Connection,
    request: RemotingCommand,
    header: PollingHeader,
    filter: MessageFilter | null,
  ): PollingResult {
    if (header.pollTime <= 0 || this.stopped) return "NOT_POLLING";
    let cids = this.topicCidMap.get(header.topic);
    if (!cids) this.topicCidMap.set(header.topic, (cids = new Set()));
    cids.add(header.consumerGroup);
    this.retryV1Map.set(buildPopRetryTopicV1(header.topic, header.consumerGroup), [header.topic, header.consumerGroup]);
    const req: PopRequest = {
      request,
      connection,
      expired: header.bornTime + header.pollTime,
      filter,
      seq: this.seq++,
      completed: false,
    };
    if (this.totalPollingNum >= this.options.maxPopPollingSize()) return "POLLING_FULL";
    if (this.isTimeout(req)) return "POLLING_TIMEOUT";
    const key = buildPollingKey(header.topic, header.consumerGroup, header.queueId);
    let queue = this.pollingMap.get(key);
    if (!queue) this.pollingMap.set(key, (queue = []));
    else if (queue.length > this.options.popPollingSize()) return "POLLING_FULL";
    // ordered by expiry, then arrival (Java's ConcurrentSkipListSet with PopRequest.COMPARATOR)
    let at = queue.length;
    while (at > 0 && (queue[at - 1]?.expired ?? 0) > req.expired) at--;
    queue.splice(at, 0, req);
    this.totalPollingNum++;
    return "POLLING_SUC";
  }

  /** Parked requests under `topic@group@queueId`. */
  pollingNum(topic: string, group: string, queueId: number): number {
    return this.pollingMap.get(buildPollingKey(topic, group, queueId))?.length ?? 0;
  }

  get totalPolling(): number {
    return this.totalPollingNum;
  }

  /** A message was dispatched to topic/queue at `offset` (Java's notifyMessageArrivingWithRetryTopic). */
  notifyMessageArrivingWithRetryTopic(
    topic: string,
    queueId: number,
    offset = -1,
    tagsCode: number | null = null,
    properties: ArrivingProperties | null = null,
  ): void {
    if (isPopRetryTopicV2(topic)) {
      const parts = topic.split("+");
      const normal = parts.length === 2 ? (parts[1] ?? topic) : topic;
      this.notifyMessageArriving(normal, queueId, offset, tagsCode, properties);
      return;
    }
    const v1 = this.retryV1Map.get(topic);
    if (v1) {
      const [normal, group] = v1;
      if (parseNormalTopic(topic, group) === normal) {
        this.notifyGroup(normal, -1, group, true, null, null);
        this.notifyGroup(normal, queueId, group, true, null, null);
      }
    }
    this.notifyMessageArriving(topic, queueId, offset, tagsCode, properties);
  }

  notifyMessageArriving(
    topic: string,
    queueId: number,
    offset: number,
    tagsCode: number | null,
    properties: ArrivingProperties | null,
  ): void {
    const cids = this.topicCidMap.get(topic);
    if (!cids) return;
    const interval = this.options.forceNotifyInterval();
    const force = interval > 0 && offset % interval === 0;
    for (const cid of cids) {
      if (queueId >= 0) this.notifyGroup(topic, -1, cid, force, tagsCode, properties);
      this.notifyGroup(topic, queueId, cid, force, tagsCode, properties);
    }
  }

  /** Wake the earliest-expiring request of one group for topic/queue; false when none woke. */
  notifyGroup(
    topic: string,
    queueId: number,
    group: string,
    force: boolean,
    tagsCode: number | null,
    properties: ArrivingProperties | null,
  ): boolean {
    const queue = this.pollingMap.get(buildPollingKey(topic, group, queueId));
    if (!queue || queue.length === 0) return false;
    const req = queue.shift();
    if (!req) return false;
    this.totalPollingNum--;
    if (!force && req.filter && tagsCode !== null) {
      let match = req.filter.isMatchedByConsumeQueue(tagsCode);
      if (match && properties && req.filter.isMatchedByCommitLog) {
        const props = properties();
        if (props) match = req.filter.isMatchedByCommitLog(props);
      }
      if (!match) {
        queue.unshift(req);
        this.totalPollingNum++;
        return false;
      }
    }
    return this.wakeUp(req);
  }

  /** The 20 ms tick: wake every request whose time is up. */
  wakeUpTimedOut(): void {
    for (const [key, queue] of this.pollingMap) {
      while (queue.length > 0) {
        const first = queue[0];
        if (!first || !this.isTimeout(first)) break;
        queue.shift();
        this.totalPollingNum--;
        this.wakeUp(first);
      }
      if (queue.length === 0) this.pollingMap.delete(key);
    }
  }

  private wakeUp(req: PopRequest): boolean {
    if (req.completed) return false;
    req.completed = true;
    if (req.connection.isClosed) return false;
    this.options.wakeUp(req);
    return true;
  }
}
