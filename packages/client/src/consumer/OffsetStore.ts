/**
 * A push consumer's offsets (Java's OffsetStore): the next offset to commit per queue, kept in
 * memory and persisted to the broker (clustering, Java's RemoteBrokerOffsetStore) or to a local
 * file (broadcasting, LocalFileOffsetStore).
 */
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { mqKey, type MessageQueue } from "../message/Message.js";
import { queryConsumerOffset, updateConsumerOffset } from "./ConsumerRpc.js";
import type { LocalFileOffsetStore } from "./LocalFileOffsetStore.js";

export class OffsetStore {
  /** mqKey → offset. */
  private readonly offsetTable = new Map<string, number>();
  /**
   * Each queue's key, built once: every consumed batch updates its queue's offset, and a key string
   * built and hashed per message was a visible share of a drain. Queues are never changed once made.
   */
  private readonly keys = new WeakMap<MessageQueue, string>();
  /** Broadcasting: offsets live in a local file. */
  private localFile: LocalFileOffsetStore | null = null;

  constructor(
    private readonly instance: MQClientInstance,
    private readonly group: string,
  ) {}

  /** Broadcasting: keep offsets in this file from now on, starting from what it holds. */
  loadLocalFile(file: LocalFileOffsetStore): void {
    this.localFile = file;
    for (const [key, offset] of file.load()) this.offsetTable.set(key, offset);
  }

  readOffset(mq: MessageQueue): number | undefined {
    return this.offsetTable.get(mqKey(mq));
  }

  /** Set a queue's offset; with `increaseOnly` it never moves back. */
  updateOffset(mq: MessageQueue, offset: number, increaseOnly = false): void {
    let key = this.keys.get(mq);
    if (key === undefined) {
      key = mqKey(mq);
      this.keys.set(mq, key);
    }
    if (increaseOnly && offset <= (this.offsetTable.get(key) ?? -1)) return;
    this.offsetTable.set(key, offset);
  }

  removeOffset(mq: MessageQueue): void {
    this.offsetTable.delete(mqKey(mq));
  }

  /** A copy of the table (mqKey → offset). */
  snapshot(): Map<string, number> {
    return new Map(this.offsetTable);
  }

  /** Store the offsets of these queues: in the local file, or one UPDATE_CONSUMER_OFFSET each. */
  async persistAll(mqs: MessageQueue[], oneway: boolean): Promise<void> {
    if (this.localFile) {
      const entries = mqs.map((mq) => ({ mq, offset: this.readOffset(mq) ?? -1 })).filter((e) => e.offset >= 0);
      try {
        this.localFile.persist(entries);
      } catch (e) {
        this.instance.logger.warn({ err: e, path: this.localFile.storePath }, "persist local offsets failed");
      }
      return;
    }
    for (const mq of mqs) {
      const offset = this.readOffset(mq);
      if (offset === undefined || offset < 0) continue;
      await this.updateConsumeOffsetToBroker(mq, offset, oneway).catch((e: unknown) =>
        this.instance.logger.warn({ err: e, mq }, "persist consumer offset failed"),
      );
    }
  }

  /** The group's committed offset on the broker; −1 when it has none, −2 on errors. */
  fetchConsumeOffsetFromBroker(mq: MessageQueue): Promise<number> {
    return queryConsumerOffset(this.instance, this.group, mq);
  }

  updateConsumeOffsetToBroker(mq: MessageQueue, offset: number, oneway: boolean): Promise<void> {
    return updateConsumerOffset(this.instance, this.group, mq, offset, oneway);
  }
}
