/**
 * The slave's HA client (store-ha-config.md §8.2/8.3/8.6): connects to the master's HA address, reports its commit-log
 * max offset, appends every frame at that offset and reports again. A frame for any other offset
 * (a diverged or replaced master) closes the connection; the client retries every 5 s.
 *
 * Difference from Java, on purpose: 4.9.8's slave starts its report clock at connect and sends its
 * first offset one heartbeat interval (5 s) later; until then the master sends nothing, and a
 * SYNC_MASTER that just came back (or a slave that just reconnected) holds every send for up to
 * `syncFlushTimeout` and answers FLUSH_SLAVE_TIMEOUT. Here the first report goes out as soon as the
 * connection is up. It is the same 8-byte report a Java master accepts at any time.
 */
import { connect, type Socket } from "node:net";
import { parseAddr } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { encodeSlaveReport, TransferFrameDecoder } from "./HAFrames.js";

export interface HAClientHost {
  readonly logger: Logger;
  readonly heartbeatInterval: number;
  readonly housekeepingInterval: number;
  getMaxPhyOffset(): number;
  /** Append replicated bytes at `offset`; false when the store refused them. */
  appendToCommitLog(offset: number, data: Buffer): boolean;
}

const RECONNECT_INTERVAL = 5000;

export class HAClient {
  private masterAddress: string | null = null;
  private socket: Socket | null = null;
  private decoder = new TransferFrameDecoder();
  private currentReportedOffset = 0;
  private lastWriteTimestamp = 0;
  /** The master sends at least a heartbeat every interval: silence means it is gone (no TCP reset needed). */
  private lastReadTimestamp = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly host: HAClientHost) {}

  get masterAddr(): string | null {
    return this.masterAddress;
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  /** Switch to another master HA address (learned from the name server or configured). */
  updateMasterAddress(addr: string): void {
    if (addr === this.masterAddress) return;
    this.host.logger.info({ from: this.masterAddress, to: addr }, "update master address");
    this.masterAddress = addr;
    this.closeMaster();
    this.tick();
  }

  start(): void {
    this.stopped = false;
    this.tick();
  }

  /** One run of the client loop: connect when needed, report on time, check housekeeping. */
  private tick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let next = RECONNECT_INTERVAL;
    if (this.socket || this.connectMaster()) {
      const now = Date.now();
      if (now - this.lastWriteTimestamp >= this.host.heartbeatInterval) this.report(this.currentReportedOffset);
      if (this.socket && Date.now() - this.lastReadTimestamp > this.host.housekeepingInterval) {
        this.host.logger.warn(
          { master: this.masterAddress },
          "HAClient, master not response some time, so close connection",
        );
        this.closeMaster();
      }
      next = 1000;
    }
    this.schedule(next);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private connectMaster(): boolean {
    const addr = this.masterAddress;
    if (!addr) return false;
    let target: { host: string; port: number };
    try {
      target = parseAddr(addr);
    } catch {
      this.host.logger.error({ master: addr }, "HAClient, illegal master address");
      return false;
    }
    const socket = connect(target);
    socket.setNoDelay(true);
    this.socket = socket;
    this.decoder = new TransferFrameDecoder();
    this.currentReportedOffset = this.host.getMaxPhyOffset();
    this.lastWriteTimestamp = Date.now();
    this.lastReadTimestamp = Date.now();
    socket.on("connect", () => {
      this.host.logger.info({ master: addr }, "HAClient connected to master");
      // at once, not one heartbeat later as 4.9.8 (see the top)
      if (this.socket === socket) this.report(this.currentReportedOffset);
    });
    socket.on("data", (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
    });
    socket.on("error", (err) => this.host.logger.warn({ master: addr, err: err.message }, "HAClient connection error"));
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.schedule(RECONNECT_INTERVAL);
    });
    return true;
  }

  private report(offset: number): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    socket.write(encodeSlaveReport(offset));
    this.lastWriteTimestamp = Date.now();
  }

  private onData(chunk: Buffer): void {
    this.lastReadTimestamp = Date.now();
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.host.logger.error({ master: this.masterAddress, err: (err as Error).message }, "HAClient bad frame");
      this.closeMaster();
      return;
    }
    for (const frame of frames) {
      const slavePhyOffset = this.host.getMaxPhyOffset();
      if (slavePhyOffset !== 0 && slavePhyOffset !== frame.offset) {
        this.host.logger.error(
          { master: this.masterAddress, slavePhyOffset, masterPhyOffset: frame.offset },
          "master pushed offset not equal the max phy offset in slave",
        );
        this.closeMaster();
        return;
      }
      if (!this.host.appendToCommitLog(frame.offset, frame.body)) {
        this.closeMaster();
        return;
      }
    }
    const max = this.host.getMaxPhyOffset();
    if (max > this.currentReportedOffset) {
      this.currentReportedOffset = max;
      this.report(max);
    }
  }

  private closeMaster(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    socket.destroy();
    this.host.logger.info({ master: this.masterAddress }, "HAClient close connection with master");
    this.schedule(RECONNECT_INTERVAL);
  }

  shutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.closeMaster();
  }
}
