/**
 * DLedgerServer's preferred-leader check (dledger 0.3.1.2, every second): a leader that is not one
 * of preferredLeaderIds hands the leadership to the preferred member that is online (answered the
 * last heartbeat) and least behind, provided it is less than maxLeadershipTransferWaitIndex behind.
 */
import { pino, type Logger } from "pino";
import { preferredLeaderIdList, type DLedgerConfig } from "./config/DLedgerConfig.js";
import type { DLedgerLeaderElector } from "./DLedgerLeaderElector.js";
import type { MemberState } from "./MemberState.js";
import { LeadershipTransferRequestCodec, type LeadershipTransferResponse } from "./protocol/messages.js";

export const PREFERRED_LEADER_CHECK_INTERVAL_MS = 1000;

export class PreferredLeaderChecker {
  private readonly logger: Logger;

  constructor(
    private readonly config: DLedgerConfig,
    private readonly memberState: MemberState,
    private readonly elector: DLedgerLeaderElector,
    /** How far a peer has replicated in a term (-1 when unknown). */
    private readonly peerWaterMark: (term: number, peerId: string) => number,
    logger?: Logger,
  ) {
    this.logger = logger ?? pino({ level: "silent" });
  }

  /** One check; resolves with the transfer's answer when one was started, else null. */
  async check(): Promise<LeadershipTransferResponse | null> {
    const ms = this.memberState;
    const preferredIds = preferredLeaderIdList(this.config);
    if (!ms.isLeader() || preferredIds === null || ms.transferee !== null) return null;
    if (preferredIds.includes(this.config.selfId)) return null;
    const fallBehind = (id: string): number => ms.ledgerEndIndex - this.peerWaterMark(ms.currTerm, id);
    const candidates: string[] = [];
    for (const id of preferredIds) {
      if (!ms.isPeerMember(id)) {
        this.logger.warn({ preferredLeaderId: id }, "preferredLeaderId is not a peer member");
        continue;
      }
      if (ms.peersLiveTable.get(id) !== true) {
        this.logger.warn({ preferredLeaderId: id }, "preferredLeaderId is not online");
        continue;
      }
      // Java only logs a member that is too far behind and keeps it in the list
      if (fallBehind(id) >= this.config.maxLeadershipTransferWaitIndex) {
        this.logger.warn({ preferredLeaderId: id, fallBehind: fallBehind(id) }, "transferee fall behind");
      }
      candidates.push(id);
    }
    if (candidates.length === 0) return null;
    let chosen = candidates[0] as string;
    let minFallBehind = Number.MAX_SAFE_INTEGER;
    for (const id of candidates) {
      const behind = fallBehind(id);
      if (behind < minFallBehind) {
        minFallBehind = behind;
        chosen = id;
      }
    }
    if (minFallBehind >= this.config.maxLeadershipTransferWaitIndex) return null;
    this.logger.info({ preferredLeaderId: chosen, minFallBehind }, "preferred leader decided to be transferee");
    const request = LeadershipTransferRequestCodec.create({ term: ms.currTerm, transfereeId: chosen });
    try {
      const response = await this.elector.handleLeadershipTransfer(request);
      this.logger.info({ request, response }, "transfer finished");
      return response;
    } catch (err) {
      this.logger.error({ err: (err as Error).message, request }, "[checkPreferredLeader] error");
      return null;
    }
  }
}
