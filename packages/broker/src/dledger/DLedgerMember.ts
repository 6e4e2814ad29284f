/**
 * The broker's DLedger member: dledger's DLedgerServer (elections, the `dLegerPeers` port) built from
 * the broker's MessageStoreConfig as RocketMQ 4.9.8's DLedgerCommitLog builds it, with its entry store
 * (DLedgerMmapFileStore under `<storePathRootDir>/dledger-<selfId>`), offered to the message store as
 * the DLedger commit log's backend.
 *
 * Until the dledger package's replication (entry pusher, quorum commit) is merged, this class does
 * the leader's append itself: the entry goes to the store, and a group of ONE member (its own quorum)
 * commits it at once; in a larger group the append waits maxWaitAckTimeMs and answers
 * WAIT_QUORUM_ACK_TIMEOUT, as a leader without acknowledging followers does. Once DLedgerServer
 * provides `store` / `appendAsLeader` / `onCommitted`, the server itself is the backend.
 */
import type { Logger } from "pino";
import { ConfigError } from "@rocketmq-ts/common";
import {
  DLedgerMmapFileStore,
  DLedgerResponseCode,
  DLedgerServer,
  DLedgerStoreError,
  createEntry,
  dledgerConfigFromMessageStore,
  parsePeers,
  validateDLedgerConfig,
  type DLedgerConfig,
  type DLedgerStoreConfig,
  type DLedgerStoreMemberState,
  type MemberRole,
} from "@rocketmq-ts/dledger";
import type { DLedgerAppendResult, DLedgerCommitLogBackend, MessageStoreConfig } from "@rocketmq-ts/store";

/**
 * The member's DLedgerConfig from the broker's MessageStoreConfig, checked as DLedger checks it at
 * start; a bad value throws ConfigError naming the broker's key (dLegerPeers, dLegerSelfId, ...).
 */
export function dledgerConfigOfBroker(storeConfig: MessageStoreConfig): DLedgerConfig {
  const config = dledgerConfigFromMessageStore(storeConfig);
  try {
    validateDLedgerConfig(config);
  } catch (err) {
    const brokerKey = err instanceof ConfigError ? BROKER_KEYS[err.key] : undefined;
    if (err instanceof ConfigError && brokerKey)
      throw new ConfigError(brokerKey, err.message.replace(`'${err.key}'`, `'${brokerKey}'`));
    throw err;
  }
  return config;
}

const BROKER_KEYS: Record<string, string> = { peers: "dLegerPeers", selfId: "dLegerSelfId", group: "dLegerGroup" };

/** The store's keys of a DLedgerConfig. */
function storeConfigOf(config: DLedgerConfig): DLedgerStoreConfig {
  return {
    selfId: config.selfId,
    storeBaseDir: config.storeBaseDir,
    ...(config.dataStorePath ? { dataStorePath: config.dataStorePath } : {}),
    mappedFileSizeForEntryData: config.mappedFileSizeForEntryData,
    mappedFileSizeForEntryIndex: config.mappedFileSizeForEntryIndex,
    flushFileInterval: config.flushFileInterval,
    checkPointInterval: config.checkPointInterval,
    fileReservedHours: config.fileReservedHours,
    deleteWhen: config.deleteWhen,
    diskSpaceRatioToCheckExpired: config.diskSpaceRatioToCheckExpired,
    diskSpaceRatioToForceClean: config.diskSpaceRatioToForceClean,
    enableDiskForceClean: config.enableDiskForceClean,
  };
}

export interface DLedgerMemberOptions {
  logger: Logger;
  /** Bind address of the peer port (Java binds every interface). */
  bindAddress?: string;
}

export class DLedgerMember implements DLedgerCommitLogBackend {
  readonly config: DLedgerConfig;
  readonly server: DLedgerServer;
  readonly store: DLedgerMmapFileStore;
  private readonly committedListeners: ((committedIndex: number) => void)[] = [];
  private readonly soleMember: boolean;
  /** Appends waiting for acknowledgements that cannot come before replication exists. */
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  /** Throws ConfigError naming the broker key (dLegerPeers, dLegerSelfId, dLegerGroup) on bad values. */
  constructor(storeConfig: MessageStoreConfig, options: DLedgerMemberOptions) {
    this.config = dledgerConfigOfBroker(storeConfig);
    this.soleMember = parsePeers(this.config.peers, "dLegerPeers").length === 1;
    this.server = new DLedgerServer(this.config, {
      logger: options.logger,
      ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
    });
    const ms = this.server.memberState;
    const memberState: DLedgerStoreMemberState = {
      currTerm: () => ms.currTerm,
      isLeader: () => ms.isLeader(),
      isFollower: () => ms.isFollower(),
      getLeaderId: () => ms.leaderId,
      getTransferee: () => ms.transferee,
      updateLedgerIndexAndTerm: (index, term) => ms.updateLedgerIndexAndTerm(index, term),
    };
    this.store = new DLedgerMmapFileStore({ config: storeConfigOf(this.config), memberState, logger: options.logger });
    this.server.attachLedgerEnd(this.store);
    // a leader of one is its own quorum: everything it holds is committed
    this.server.addRoleChangeListener((term, role) => {
      if (role === "LEADER" && this.soleMember) this.commit(term, this.store.getLedgerEndIndex());
    });
  }

  get selfId(): string {
    return this.config.selfId;
  }

  get isLeader(): boolean {
    return this.server.isLeader;
  }

  get role(): MemberRole {
    return this.server.role;
  }

  onCommitted(listener: (committedIndex: number) => void): void {
    this.committedListeners.push(listener);
  }

  addRoleChangeListener(listener: (term: number, role: MemberRole) => void): void {
    this.server.addRoleChangeListener(listener);
  }

  appendAsLeader(body: Buffer): Promise<DLedgerAppendResult> {
    let index: number;
    let pos: number;
    try {
      const entry = this.store.appendAsLeader(createEntry(body));
      index = entry.index;
      pos = entry.pos;
    } catch (err) {
      if (err instanceof DLedgerStoreError) return Promise.resolve({ code: err.code, index: -1, pos: -1 });
      return Promise.resolve({ code: DLedgerResponseCode.INTERNAL_ERROR, index: -1, pos: -1 });
    }
    if (this.soleMember) {
      this.commit(this.server.term, index);
      return Promise.resolve({ code: DLedgerResponseCode.SUCCESS, index, pos });
    }
    return new Promise((resolve) => {
      const timeout = (): void => {
        clearTimeout(timer);
        this.pending.delete(timer);
        resolve({ code: DLedgerResponseCode.WAIT_QUORUM_ACK_TIMEOUT, index, pos });
      };
      const timer = setTimeout(timeout, this.config.maxWaitAckTimeMs);
      this.pending.set(timer, timeout);
    });
  }

  private commit(term: number, index: number): void {
    if (index < 0 || index === this.store.getCommittedIndex()) return;
    this.store.updateCommittedIndex(term, index);
    const committed = this.store.getCommittedIndex();
    for (const listener of this.committedListeners) listener(committed);
  }

  /** Start the entry store's services (it was loaded and recovered with the message store), then elections. */
  async start(): Promise<void> {
    this.store.startup();
    await this.server.start();
  }

  async shutdown(): Promise<void> {
    for (const timeout of [...this.pending.values()]) timeout();
    await this.server.shutdown();
    await this.store.shutdown();
  }
}
