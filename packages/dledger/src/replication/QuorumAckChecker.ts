/**
 * The leader's QuorumAckChecker (dledger 0.3.1.2): the committed index is the index a majority
 * holds by the current term's water marks; the futures of appends up to it complete SUCCESS, the
 * ones past it that waited longer than maxWaitAckTimeMs complete WAIT_QUORUM_ACK_TIMEOUT, the ones
 * of an older term (or all of them, once this member is no longer leader) TERM_CHANGED. Once a second (or when a future was missing) the leader's own mark
 * is refreshed and every future up to the quorum index is completed.
 */
import type { ReplicationContext } from "./ReplicationContext.js";
import { ServiceLoop } from "./ServiceLoop.js";

export class QuorumAckChecker {
  readonly loop: ServiceLoop;
  private lastPrintWatermarkTimeMs: number;
  private lastCheckLeakTimeMs: number;
  private lastQuorumIndex = -1;

  constructor(private readonly ctx: ReplicationContext) {
    this.lastPrintWatermarkTimeMs = ctx.timer.now();
    this.lastCheckLeakTimeMs = ctx.timer.now();
    this.loop = new ServiceLoop(`QuorumAckChecker-${ctx.memberState.selfId}`, ctx.timer, ctx.logger, () =>
      this.doWork(),
    );
  }

  private async doWork(): Promise<void> {
    const { memberState: ms, store, waterMarks, pending, timer } = this.ctx;
    if (timer.now() - this.lastPrintWatermarkTimeMs > 3000) {
      this.ctx.logger.info(
        {
          self: ms.selfId,
          role: ms.role,
          term: ms.currTerm,
          ledgerBegin: store.getLedgerBeginIndex(),
          ledgerEnd: store.getLedgerEndIndex(),
          committed: store.getCommittedIndex(),
          watermarks: waterMarks.snapshot(),
        },
        "replication state",
      );
      this.lastPrintWatermarkTimeMs = timer.now();
    }
    if (!ms.isLeader()) {
      // nobody acknowledges an old leader's appends: they end TERM_CHANGED (Java leaves them open
      // until this member leads again)
      pending.failOtherTerms(null, ms.leaderId);
      await this.loop.waitForRunning(this.ctx.idleWaitMs);
      return;
    }
    const currTerm = ms.currTerm;
    pending.failOtherTerms(currTerm, ms.leaderId);
    waterMarks.retainOnly(currTerm);
    const quorumIndex = waterMarks.quorumIndex(currTerm);
    this.ctx.updateCommittedIndex(currTerm, quorumIndex);
    let needCheck = false;
    let ackNum = 0;
    for (let i = quorumIndex; i > this.lastQuorumIndex; i--) {
      if (!pending.ack(currTerm, i)) {
        needCheck = true;
        break;
      }
      ackNum++;
    }
    if (ackNum === 0) {
      pending.failTimedOut(currTerm, quorumIndex + 1);
      await this.loop.waitForRunning(this.ctx.idleWaitMs);
    }
    if (timer.now() - this.lastCheckLeakTimeMs > 1000 || needCheck) {
      waterMarks.update(currTerm, ms.selfId, store.getLedgerEndIndex());
      pending.ackUpTo(currTerm, quorumIndex);
      this.lastCheckLeakTimeMs = timer.now();
    }
    this.lastQuorumIndex = quorumIndex;
  }
}
