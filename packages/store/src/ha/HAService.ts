/**
 * Replication (store-ha-config.md §8): the HA listener every broker runs (slaves connect to a master's), the slave's
 * HA client, and the SYNC_MASTER wait — a put waits until any slave acknowledged its end offset
 * (Java's GroupTransferService), bounded by slaveTimeout.
 */
import { createServer, type Server } from "node:net";
import type { Logger } from "pino";
import type { CommitLogStore } from "../CommitLogStore.js";
import type { MessageStoreConfig } from "../config/MessageStoreConfig.js";
import { HAClient } from "./HAClient.js";
import { HAConnection, type HAConnectionHost } from "./HAConnection.js";

export interface HAServiceOptions {
  config: MessageStoreConfig;
  commitLog: CommitLogStore;
  logger: Logger;
  /** Slave: append replicated bytes and dispatch them. */
  appendToCommitLog(offset: number, data: Buffer): boolean;
  /** Bind address of the HA port (Java binds every interface). */
  bindAddress?: string;
}

interface TransferRequest {
  nextOffset: number;
  deadline: number;
  resolve(ok: boolean): void;
}

export class HAService {
  private server: Server | null = null;
  readonly connections = new Set<HAConnection>();
  /** Highest offset any slave has acknowledged. */
  push2SlaveMaxOffset = 0;
  readonly haClient: HAClient;
  private waiting: TransferRequest[] = [];
  private watcher: NodeJS.Timeout | null = null;
  private readonly connectionHost: HAConnectionHost;

  constructor(private readonly options: HAServiceOptions) {
    const { config, commitLog, logger } = options;
    this.connectionHost = {
      logger,
      mappedFileSize: config.mappedFileSizeCommitLog,
      heartbeatInterval: config.haSendHeartbeatInterval,
      housekeepingInterval: config.haHousekeepingInterval,
      transferBatchSize: config.haTransferBatchSize,
      getMaxPhyOffset: () => commitLog.getMaxOffset(),
      getData: (offset) => commitLog.getData(offset)?.buffer ?? null,
      notifyTransferSome: (offset) => this.notifyTransferSome(offset),
      removeConnection: (conn) => {
        if (this.connections.delete(conn)) logger.info({ slave: conn.clientAddr }, "HA connection closed");
      },
    };
    this.haClient = new HAClient({
      logger,
      heartbeatInterval: config.haSendHeartbeatInterval,
      housekeepingInterval: config.haHousekeepingInterval,
      getMaxPhyOffset: () => commitLog.getMaxOffset(),
      appendToCommitLog: (offset, data) => options.appendToCommitLog(offset, data),
    });
  }

  /** Listen on haListenPort; a slave also starts its client (towards haMasterAddress, if configured). */
  async start(): Promise<void> {
    const { config, logger } = this.options;
    const server = createServer((socket) => {
      const conn = new HAConnection(socket, this.connectionHost);
      this.connections.add(conn);
      logger.info({ slave: conn.clientAddr }, "HAService receive new connection");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: config.haListenPort, host: this.options.bindAddress ?? "0.0.0.0" }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => logger.error({ err: err.message }, "HA server error"));
    this.server = server;
    if (config.brokerRole === "SLAVE") {
      if (config.haMasterAddress && config.haMasterAddress.length >= 6)
        this.haClient.updateMasterAddress(config.haMasterAddress);
      this.haClient.start();
    }
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Java's isSlaveOK: a slave is connected and not more than haSlaveFallbehindMax behind. */
  isSlaveOK(masterPutWhere: number): boolean {
    return (
      this.connections.size > 0 && masterPutWhere - this.push2SlaveMaxOffset < this.options.config.haSlaveFallbehindMax
    );
  }

  updateMasterAddress(addr: string): void {
    this.haClient.updateMasterAddress(addr);
  }

  /** New commit-log data: wake the connections waiting for it. */
  notifyNewData(): void {
    for (const c of this.connections) c.notifyNewData();
  }

  notifyTransferSome(offset: number): void {
    if (offset <= this.push2SlaveMaxOffset) return;
    this.push2SlaveMaxOffset = offset;
    if (this.waiting.length === 0) return;
    const still: TransferRequest[] = [];
    for (const r of this.waiting) {
      if (r.nextOffset <= offset) r.resolve(true);
      else still.push(r);
    }
    this.waiting = still;
  }

  /** Resolves true once a slave acknowledged `nextOffset`, false after slaveTimeout (FLUSH_SLAVE_TIMEOUT). */
  waitForSlave(nextOffset: number): Promise<boolean> {
    if (this.push2SlaveMaxOffset >= nextOffset) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiting.push({ nextOffset, deadline: Date.now() + this.options.config.slaveTimeout, resolve });
      this.notifyNewData();
      this.watcher ??= setInterval(() => this.expire(), 100);
    });
  }

  private expire(): void {
    const now = Date.now();
    const still: TransferRequest[] = [];
    for (const r of this.waiting) {
      if (r.deadline <= now) {
        this.options.logger.warn({ nextOffset: r.nextOffset }, "transfer message to slave timeout");
        r.resolve(false);
      } else still.push(r);
    }
    this.waiting = still;
    if (still.length === 0 && this.watcher) {
      clearInterval(this.watcher);
      this.watcher = null;
    }
  }

  async shutdown(): Promise<void> {
    this.haClient.shutdown();
    for (const c of [...this.connections]) c.close();
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
    for (const r of this.waiting) r.resolve(false);
    this.waiting = [];
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
