/**
 * Long polling (Java PullRequestHoldService): a pull that found nothing is parked per topic-queue
 * until a matching message arrives or its suspend time runs out, then executed again and answered.
 */
import type { Connection, RemotingCommand } from "@rocketmq-ts/remoting";

export interface HeldPullRequest {
  request: RemotingCommand;
  connection: Connection;
  pullFromThisOffset: number;
  suspendTimestamp: number;
  timeoutMillis: number;
  /** The subscription's filter on an arriving message: its tag code, then (SQL92) its properties. */
  matches: (tagsCode: number, propertiesString: string | null) => boolean;
}

export class PullRequestHoldService {
  private readonly table = new Map<string, HeldPullRequest[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Run the pull again without suspending, and write its response. */
    private readonly wakeup: (held: HeldPullRequest) => void,
    private readonly maxOffset: (topic: string, queueId: number) => number,
    private readonly checkIntervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.checkHoldRequest(), this.checkIntervalMs);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  suspendPullRequest(topic: string, queueId: number, held: HeldPullRequest): void {
    const key = `${topic}@${queueId}`;
    let list = this.table.get(key);
    if (!list) this.table.set(key, (list = []));
    list.push(held);
  }

  get heldCount(): number {
    let n = 0;
    for (const l of this.table.values()) n += l.length;
    return n;
  }

  private checkHoldRequest(): void {
    for (const key of [...this.table.keys()]) {
      const i = key.lastIndexOf("@");
      const topic = key.slice(0, i);
      const queueId = Number(key.slice(i + 1));
      this.notifyMessageArriving(topic, queueId, this.maxOffset(topic, queueId), null, null);
    }
  }

  /** A message for topic/queue arrived (tagsCode null: periodic check, no specific message). */
  notifyMessageArriving(
    topic: string,
    queueId: number,
    maxOffset: number,
    tagsCode: number | null,
    propertiesString: string | null,
  ): void {
    const key = `${topic}@${queueId}`;
    const list = this.table.get(key);
    if (!list || list.length === 0) return;
    const keep: HeldPullRequest[] = [];
    const now = Date.now();
    for (const held of list) {
      if (held.connection.isClosed) continue;
      const arrived =
        maxOffset > held.pullFromThisOffset && (tagsCode === null || held.matches(tagsCode, propertiesString));
      if (arrived || now >= held.suspendTimestamp + held.timeoutMillis) this.wakeup(held);
      else keep.push(held);
    }
    if (keep.length > 0) this.table.set(key, keep);
    else this.table.delete(key);
  }
}
