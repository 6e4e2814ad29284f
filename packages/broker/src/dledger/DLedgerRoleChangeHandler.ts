/**
 * The broker's answer to DLedger role changes (RocketMQ 4.9.8's DLedgerRoleChangeHandler), one change
 * at a time in arrival order (Java's single-thread executor):
 * - CANDIDATE: become a slave unless already one;
 * - FOLLOWER: become a slave, registering with brokerId = the number in dLegerSelfId + 1;
 * - LEADER: wait (polling every 100 ms) until every entry is committed and dispatched to the consume
 *   queues — giving up if leadership is lost meanwhile —, rebuild the next queue offsets from the
 *   queues, then become SYNC_MASTER with brokerId 0.
 * Becoming master or slave (registration, slave metadata sync) is the broker's changeToMaster /
 * changeToSlave.
 */
import type { Logger } from "pino";

export type DLedgerRole = "CANDIDATE" | "FOLLOWER" | "LEADER";

export interface DLedgerRoleChangeContext {
  /** The store's current role (brokerRole). */
  brokerRole(): string;
  changeToSlave(brokerId: number): Promise<void>;
  changeToMaster(role: "SYNC_MASTER"): Promise<void>;
  /** The member is (still) leader. */
  isLeader(): boolean;
  ledgerEndIndex(): number;
  committedIndex(): number;
  /** Committed bytes not yet in the consume queues. */
  dispatchBehindBytes(): number;
  recoverTopicQueueTable(): void;
}

export interface DLedgerRoleChangeHandlerOptions {
  /** The brokerId a follower registers with (dledgerFollowerBrokerId of dLegerSelfId). */
  followerBrokerId: number;
  logger: Logger;
  /** Pause of the leader's catch-up wait (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const CATCH_UP_POLL_MS = 100;

export class DLedgerRoleChangeHandler {
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly ctx: DLedgerRoleChangeContext,
    private readonly options: DLedgerRoleChangeHandlerOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Queue the handling of a role change; resolves when it (and every change before it) is done. */
  handle(term: number, role: DLedgerRole): Promise<void> {
    this.queue = this.queue.then(() => this.run(term, role));
    return this.queue;
  }

  private async run(term: number, role: DLedgerRole): Promise<void> {
    if (this.stopped) return;
    const { ctx, options } = this;
    const { logger } = options;
    const start = this.now();
    logger.info(`Begin handling broker role change term=${term} role=${role} currStoreRole=${ctx.brokerRole()}`);
    let succ = true;
    try {
      switch (role) {
        case "CANDIDATE":
          if (ctx.brokerRole() !== "SLAVE") await ctx.changeToSlave(options.followerBrokerId);
          break;
        case "FOLLOWER":
          await ctx.changeToSlave(options.followerBrokerId);
          break;
        case "LEADER":
          succ = await this.waitUntilCaughtUp();
          if (succ) {
            ctx.recoverTopicQueueTable();
            await ctx.changeToMaster("SYNC_MASTER");
          }
          break;
      }
      logger.info(
        `Finish handling broker role change succ=${succ} term=${term} role=${role} currStoreRole=${ctx.brokerRole()} cost=${this.now() - start}`,
      );
    } catch (err) {
      logger.info(
        { err },
        `[MONITOR]Failed handling broker role change term=${term} role=${role} currStoreRole=${ctx.brokerRole()} cost=${this.now() - start}`,
      );
    }
  }

  /** The leader's wait: all entries committed and dispatched; false when leadership went meanwhile. */
  private async waitUntilCaughtUp(): Promise<boolean> {
    const { ctx } = this;
    for (;;) {
      if (this.stopped || !ctx.isLeader()) return false;
      const end = ctx.ledgerEndIndex();
      if (end === -1) return true;
      if (end === ctx.committedIndex() && ctx.dispatchBehindBytes() === 0) return true;
      await this.sleep(CATCH_UP_POLL_MS);
    }
  }

  /** Stop handling; a leader still waiting gives up. */
  shutdown(): Promise<void> {
    this.stopped = true;
    return this.queue;
  }
}
