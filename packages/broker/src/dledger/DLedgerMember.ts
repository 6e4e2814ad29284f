/**
 * The broker's DLedger member: dledger's DLedgerServer (elections, replication, the `dLegerPeers`
 * port, the entry store under `<storePathRootDir>/dledger-<selfId>`) built from the broker's
 * MessageStoreConfig as RocketMQ 4.9.8's DLedgerCommitLog builds it, and offered to the message store
 * as the DLedger commit log's backend: appends go through the server (resolved once a quorum has
 * them), commits reach the store through `onCommitted`, on the leader and on followers.
 */
import type { Logger } from "pino";
import { ConfigError } from "@rocketmq-ts/common";
import {
  DLedgerServer,
  dledgerConfigFromMessageStore,
  validateDLedgerConfig,
  type DLedgerConfig,
  type DLedgerMmapFileStore,
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

export interface DLedgerMemberOptions {
  logger: Logger;
  /** Bind address of the peer port (Java binds every interface). */
  bindAddress?: string;
}

export class DLedgerMember implements DLedgerCommitLogBackend {
  readonly config: DLedgerConfig;
  readonly server: DLedgerServer;

  /** Throws ConfigError naming the broker key (dLegerPeers, dLegerSelfId, dLegerGroup) on bad values. */
  constructor(storeConfig: MessageStoreConfig, options: DLedgerMemberOptions) {
    this.config = dledgerConfigOfBroker(storeConfig);
    this.server = new DLedgerServer(this.config, {
      logger: options.logger,
      ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
    });
  }

  /** The entry store; the message store loads and recovers it before the server starts. */
  get store(): DLedgerMmapFileStore {
    return this.server.store;
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
    this.server.onCommitted(listener);
  }

  addRoleChangeListener(listener: (term: number, role: MemberRole) => void): void {
    this.server.addRoleChangeListener(listener);
  }

  appendAsLeader(body: Buffer): Promise<DLedgerAppendResult> {
    return this.server.appendAsLeader(body);
  }

  /** Start the server on the already recovered entry store: peer port, replication, elections. */
  async start(): Promise<void> {
    await this.server.start();
  }

  /** Stop elections and replication, then flush and close the entry store. */
  async shutdown(): Promise<void> {
    await this.server.shutdown();
  }
}
