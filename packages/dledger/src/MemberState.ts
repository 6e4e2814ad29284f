/**
 * MemberState of dledger 0.3.1.2: this member's view of the group — role, term, leader, whom it
 * voted for in the term — with the term and vote persisted to `<storeBaseDir>/dledger-<selfId>/currterm`
 * (`voteLeader=…\ncurrTerm=…\n`, the previous version in `currterm.bak`), loaded at start.
 */
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { dledgerDefaultPath, parsePeers, type DLedgerConfig } from "./config/DLedgerConfig.js";
import { checkPrecondition, DLedgerResponseCode } from "./protocol/DLedgerResponseCode.js";
import type { DLedgerStoreMemberState } from "./store/DLedgerMemberState.js";
import { file2String, properties2String, string2File, string2Properties } from "./utils/safeFile.js";

export type MemberRole = "CANDIDATE" | "LEADER" | "FOLLOWER";

/**
 * Where the ledger ends (index and term of the last entry; -1/-1 when empty). By default MemberState
 * keeps what the entry store reports through updateLedgerIndexAndTerm; tests may attach a source.
 */
export interface LedgerEndSource {
  readonly ledgerEndIndex: number;
  readonly ledgerEndTerm: number;
}

export const TERM_PERSIST_FILE = "currterm";
export const TERM_PERSIST_KEY_TERM = "currTerm";
export const TERM_PERSIST_KEY_VOTE_FOR = "voteLeader";

export interface MemberStateOptions {
  ledgerEnd?: LedgerEndSource;
  logger?: Logger;
}

export class MemberState implements DLedgerStoreMemberState {
  readonly group: string;
  readonly selfId: string;
  /** id → `host:port`, in the order of `peers`. */
  readonly peerMap: ReadonlyMap<string, string>;
  /** Whether each peer answered the last heartbeat (the leader's view, for preferred-leader transfer). */
  readonly peersLiveTable = new Map<string, boolean>();
  private readonly termFile: string;
  private readonly logger: Logger;
  private ownLedgerEnd = { ledgerEndIndex: -1, ledgerEndTerm: -1 };
  private ledgerEndSource: LedgerEndSource;

  private roleValue: MemberRole = "CANDIDATE";
  private leaderIdValue: string | null = null;
  private currTermValue = 0;
  private currVoteForValue: string | null = null;
  private knownMaxTermInGroup = -1;
  private transfereeValue: string | null = null;
  /** The term a transferee is to reach to take the leadership; -1 when none. */
  termToTakeLeadership = -1;

  constructor(config: DLedgerConfig, options: MemberStateOptions = {}) {
    this.group = config.group;
    this.selfId = config.selfId;
    this.peerMap = new Map(parsePeers(config.peers).map((p) => [p.id, p.addr]));
    this.termFile = join(dledgerDefaultPath(config), TERM_PERSIST_FILE);
    this.logger = options.logger ?? pino({ level: "silent" });
    this.ledgerEndSource = options.ledgerEnd ?? this.ownLedgerEnd;
    this.loadTerm();
  }

  private loadTerm(): void {
    try {
      const text = file2String(this.termFile);
      if (text === null) return;
      const props = string2Properties(text);
      const term = props.get(TERM_PERSIST_KEY_TERM);
      if (term !== undefined) {
        if (!/^[+-]?\d+$/.test(term.trim())) throw new Error(`${TERM_PERSIST_KEY_TERM}=${term} is not a number`);
        this.currTermValue = Number(term.trim());
      }
      const voteFor = props.get(TERM_PERSIST_KEY_VOTE_FOR);
      if (voteFor !== undefined) this.currVoteForValue = voteFor.length === 0 ? null : voteFor;
    } catch (err) {
      this.logger.error({ err: (err as Error).message, file: this.termFile }, "Load last term failed");
    }
  }

  private persistTerm(): void {
    try {
      const text = properties2String([
        [TERM_PERSIST_KEY_VOTE_FOR, this.currVoteForValue ?? ""],
        [TERM_PERSIST_KEY_TERM, String(this.currTermValue)],
      ]);
      string2File(text, this.termFile);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, file: this.termFile }, "Persist curr term failed");
    }
  }

  get role(): MemberRole {
    return this.roleValue;
  }
  get leaderId(): string | null {
    return this.leaderIdValue;
  }
  get currTerm(): number {
    return this.currTermValue;
  }
  get currVoteFor(): string | null {
    return this.currVoteForValue;
  }
  get transferee(): string | null {
    return this.transfereeValue;
  }
  get ledgerEndIndex(): number {
    return this.ledgerEndSource.ledgerEndIndex;
  }
  get ledgerEndTerm(): number {
    return this.ledgerEndSource.ledgerEndTerm;
  }

  isLeader(): boolean {
    return this.roleValue === "LEADER";
  }
  isFollower(): boolean {
    return this.roleValue === "FOLLOWER";
  }
  isCandidate(): boolean {
    return this.roleValue === "CANDIDATE";
  }

  /** Record the vote of this term (persisted). */
  setCurrVoteFor(id: string | null): void {
    this.currVoteForValue = id;
    this.persistTerm();
  }

  /** A candidate's next term: the highest term seen in the group, or currTerm + 1; the vote is reset (persisted). */
  nextTerm(): number {
    checkPrecondition(
      this.roleValue === "CANDIDATE",
      DLedgerResponseCode.ILLEGAL_MEMBER_STATE,
      `${this.roleValue} != CANDIDATE`,
    );
    if (this.knownMaxTermInGroup > this.currTermValue) this.currTermValue = this.knownMaxTermInGroup;
    else this.currTermValue++;
    this.currVoteForValue = null;
    this.persistTerm();
    return this.currTermValue;
  }

  changeToLeader(term: number): void {
    checkPrecondition(
      this.currTermValue === term,
      DLedgerResponseCode.ILLEGAL_MEMBER_STATE,
      `${this.currTermValue} != ${term}`,
    );
    this.roleValue = "LEADER";
    this.leaderIdValue = this.selfId;
    this.peersLiveTable.clear();
  }

  changeToFollower(term: number, leaderId: string): void {
    checkPrecondition(
      this.currTermValue === term,
      DLedgerResponseCode.ILLEGAL_MEMBER_STATE,
      `${this.currTermValue} != ${term}`,
    );
    this.roleValue = "FOLLOWER";
    this.leaderIdValue = leaderId;
    this.transfereeValue = null;
  }

  /** Become candidate; the term itself moves in nextTerm (a larger `term` is remembered for it). */
  changeToCandidate(term: number): void {
    checkPrecondition(
      term >= this.currTermValue,
      DLedgerResponseCode.ILLEGAL_MEMBER_STATE,
      `should ${term} >= ${this.currTermValue}`,
    );
    if (term > this.knownMaxTermInGroup) this.knownMaxTermInGroup = term;
    this.roleValue = "CANDIDATE";
    this.leaderIdValue = null;
    this.transfereeValue = null;
  }

  setTransferee(id: string | null): void {
    checkPrecondition(
      this.roleValue === "LEADER",
      DLedgerResponseCode.ILLEGAL_MEMBER_STATE,
      `${this.selfId} is not leader`,
    );
    this.transfereeValue = id;
  }

  get selfAddr(): string | undefined {
    return this.peerMap.get(this.selfId);
  }
  get leaderAddr(): string | undefined {
    return this.leaderIdValue === null ? undefined : this.peerMap.get(this.leaderIdValue);
  }
  peerAddr(id: string): string | undefined {
    return this.peerMap.get(id);
  }

  /** More than half of the members. */
  isQuorum(num: number): boolean {
    return num >= Math.floor(this.peerSize() / 2) + 1;
  }
  peerSize(): number {
    return this.peerMap.size;
  }
  isPeerMember(id: string | null): id is string {
    return id !== null && this.peerMap.has(id);
  }

  /** Where the ledger ends comes from `source` from now on (the entry store). */
  attachLedgerEnd(source: LedgerEndSource): void {
    this.ledgerEndSource = source;
  }

  /** The store tells every new ledger end here (Java's hook); read back unless another LedgerEndSource is attached. */
  updateLedgerIndexAndTerm(index: number, term: number): void {
    this.ownLedgerEnd.ledgerEndIndex = index;
    this.ownLedgerEnd.ledgerEndTerm = term;
  }
}
