/**
 * The master's side of one slave connection (store-ha-config.md §8.2/8.3): reads the slave's offset reports and
 * streams the commit log from the slave's request offset in frames of at most haTransferBatchSize,
 * never crossing a file end, with a heartbeat header when idle.
 */
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { encodeTransferHeader, SlaveReportReader } from "./HAFrames.js";

/** What a connection needs from the master's store and HA service. */
export interface HAConnectionHost {
  readonly logger: Logger;
  readonly mappedFileSize: number;
  readonly heartbeatInterval: number;
  readonly housekeepingInterval: number;
  readonly transferBatchSize: number;
  getMaxPhyOffset(): number;
  /** Bytes from `offset` to the written end of the file holding it. */
  getData(offset: number): Buffer | null;
  /** A slave acknowledged everything below `offset`. */
  notifyTransferSome(offset: number): void;
  removeConnection(conn: HAConnection): void;
}

export class HAConnection {
  readonly clientAddr: string;
  /** First report: where the slave wants the stream to start (-1 until it arrives). */
  slaveRequestOffset = -1;
  slaveAckOffset = -1;
  private lastReadTimestamp = Date.now();
  /** From the accept on, as Java: a first report later than one heartbeat interval gets a heartbeat first. */
  private lastWriteTimestamp = Date.now();
  private readonly reader = new SlaveReportReader();
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly housekeeping: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    private readonly host: HAConnectionHost,
  ) {
    this.clientAddr = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => host.logger.warn({ slave: this.clientAddr, err: err.message }, "HA connection error"));
    socket.on("close", () => this.close());
    this.housekeeping = setInterval(() => {
      if (Date.now() - this.lastReadTimestamp > host.housekeepingInterval) {
        host.logger.warn({ slave: this.clientAddr }, "ha housekeeping, found this connection expired");
        this.close();
      }
    }, 1000);
    this.housekeeping.unref();
    this.transferLoop().catch((err: Error) => {
      this.host.logger.error({ slave: this.clientAddr, err: err.message }, "HA transfer failed, close the connection");
      this.close();
    });
  }

  private onData(chunk: Buffer): void {
    this.lastReadTimestamp = Date.now();
    const offset = this.reader.push(chunk);
    if (offset === null) return;
    if (offset < 0 || !Number.isSafeInteger(offset)) {
      // not a commit-log offset: something other than a slave is talking to the HA port
      this.host.logger.warn({ slave: this.clientAddr, offset }, "illegal slave report, close the connection");
      this.close();
      return;
    }
    this.slaveAckOffset = offset;
    if (this.slaveRequestOffset < 0) {
      this.slaveRequestOffset = offset;
      this.host.logger.info({ slave: this.clientAddr, offset }, "slave request offset");
      this.notifyNewData();
      // a slave ahead of us (after a crash of this master) has not acknowledged anything we wrote:
      // counting it would let SYNC_MASTER puts pass unreplicated (4.9.8 does; we do not)
      if (offset > this.host.getMaxPhyOffset()) return;
    } else if (offset > this.host.getMaxPhyOffset()) {
      // 4.9.8 drops a slave that claims more than the master has (it may have diverged)
      this.host.logger.warn(
        { slave: this.clientAddr, offset, masterMaxOffset: this.host.getMaxPhyOffset() },
        "slave ack offset greater than master max offset, close the connection",
      );
      this.close();
      return;
    }
    this.host.notifyTransferSome(offset);
  }

  /** New data was appended (or the request offset arrived): stop waiting. */
  notifyNewData(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Write `parts` in one syscall and wait until the socket accepted them (back-pressure from a slow
   * slave). A part may be a view of the commit log: the mapping lives as long as the view does, and
   * what is below the max offset never changes.
   */
  private write(...parts: Buffer[]): Promise<void> {
    return new Promise((resolve) => {
      this.socket.cork();
      let accepted = true;
      for (const part of parts) accepted = this.socket.write(part);
      this.socket.uncork();
      if (accepted) return resolve();
      const done = (): void => {
        this.socket.off("drain", done).off("close", done);
        resolve();
      };
      this.socket.on("drain", done).on("close", done);
    });
  }

  private async transferLoop(): Promise<void> {
    while (!this.closed && this.slaveRequestOffset < 0) await this.waitForData(10);
    if (this.closed) return;
    const h = this.host;
    let next: number;
    if (this.slaveRequestOffset === 0) {
      // a fresh slave starts at the master's last file
      const max = h.getMaxPhyOffset();
      next = Math.max(0, max - (max % h.mappedFileSize));
    } else next = this.slaveRequestOffset;
    h.logger.info({ slave: this.clientAddr, offset: next }, "master transfer data to slave from offset");
    while (!this.closed) {
      if (Date.now() - this.lastWriteTimestamp > h.heartbeatInterval) {
        await this.write(encodeTransferHeader(next, 0));
        this.lastWriteTimestamp = Date.now();
        continue;
      }
      const data = h.getData(next);
      if (data && data.length > 0) {
        const size = Math.min(data.length, h.transferBatchSize);
        const header = encodeTransferHeader(next, size);
        next += size;
        await this.write(header, data.subarray(0, size));
        this.lastWriteTimestamp = Date.now();
        continue;
      }
      await this.waitForData(100);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.housekeeping);
    this.notifyNewData();
    this.socket.destroy();
    this.host.removeConnection(this);
  }
}
