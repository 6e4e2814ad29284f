/**
 * Java's GrpcChannelManager + GrpcClientChannel, reduced to what the proxy uses: per client id the
 * Telemetry stream to write server→client commands on, and the producer groups (= topics) and
 * consumer groups the client stands for; and when each client was last heard of, so clients that
 * die without NotifyClientTermination can be expired (see ExpiredClientCleaner); and the answers the
 * proxy waits for from clients (thread stack traces, message verifications) by nonce, given up
 * after `grpcProxyRelayRequestTimeoutInSeconds` with SYSTEM_BUSY "call remote timeout" as Java's.
 */
import { ResponseCode } from "@rocketmq-ts/remoting";
import type { TelemetryCommand } from "./v2types.js";

/** What a relayed request comes back with (Java's ProxyRelayResult): a remoting code, remark, body. */
export interface RelayResult {
  code: number;
  remark: string;
  body?: Buffer;
}

export interface TelemetryWriter {
  write(command: TelemetryCommand): void;
}

export interface GrpcClientChannel {
  clientId: string;
  writer: TelemetryWriter | null;
  producerGroups: Set<string>;
  consumerGroups: Set<string>;
}

export class GrpcChannelManager {
  private readonly channels = new Map<string, GrpcClientChannel>();
  /** client id → when the client was last heard of (Heartbeat, Telemetry, any RPC) */
  private readonly lastActivity = new Map<string, number>();
  private nonce = 0;
  private readonly responseFutures = new Map<string, { createdAt: number; complete: (r: RelayResult) => void }>();

  /** Record that `clientId` was heard of at `at`. */
  touch(clientId: string, at: number): void {
    if (clientId.length > 0) this.lastActivity.set(clientId, at);
  }

  /** Client ids last heard of before `before`. */
  inactiveClients(before: number): string[] {
    const out: string[] = [];
    for (const [clientId, at] of this.lastActivity) if (at < before) out.push(clientId);
    return out;
  }

  /** Forget the client's activity record (it terminated or expired). */
  forgetActivity(clientId: string): void {
    this.lastActivity.delete(clientId);
  }

  createChannel(clientId: string): GrpcClientChannel {
    let channel = this.channels.get(clientId);
    if (!channel) {
      channel = { clientId, writer: null, producerGroups: new Set(), consumerGroups: new Set() };
      this.channels.set(clientId, channel);
    }
    return channel;
  }

  getChannel(clientId: string): GrpcClientChannel | undefined {
    return this.channels.get(clientId);
  }

  removeChannel(clientId: string): GrpcClientChannel | undefined {
    const channel = this.channels.get(clientId);
    this.channels.delete(clientId);
    return channel;
  }

  /** Forget a telemetry stream that ended (the client re-opens it and re-sends its settings). */
  dropWriter(writer: TelemetryWriter): void {
    for (const c of this.channels.values()) if (c.writer === writer) c.writer = null;
  }

  /** Every producer group some client stands for (what the proxy heartbeats to brokers). */
  allProducerGroups(): string[] {
    const groups = new Set<string>();
    for (const c of this.channels.values()) for (const g of c.producerGroups) groups.add(g);
    return [...groups];
  }

  /** A client of the producer group with a live telemetry stream (Java picks one channel of the group). */
  findWriterOfProducerGroup(group: string): TelemetryWriter | null {
    for (const c of this.channels.values()) if (c.writer && c.producerGroups.has(group)) return c.writer;
    return null;
  }

  /** Java's increasing decimal nonce for server→client commands, from 0. */
  nextNonce(): string {
    return String(this.nonce++);
  }

  /** Wait for a client's answer: the nonce to send, and the answer (or the timeout) to come. */
  addResponseFuture(now: number): { nonce: string; result: Promise<RelayResult> } {
    const nonce = this.nextNonce();
    const result = new Promise<RelayResult>((complete) =>
      this.responseFutures.set(nonce, { createdAt: now, complete }),
    );
    return { nonce, result };
  }

  /** The waiter of `nonce`, forgotten (null when it timed out or never was). */
  getAndRemoveResponseFuture(nonce: string): ((r: RelayResult) => void) | null {
    const f = this.responseFutures.get(nonce);
    this.responseFutures.delete(nonce);
    return f?.complete ?? null;
  }

  /** Give up on answers older than `timeoutMs` (Java's scanExpireResultFuture, every second). */
  scanExpireResultFuture(now: number, timeoutMs: number): void {
    for (const [nonce, f] of this.responseFutures) {
      if (now - f.createdAt <= timeoutMs) continue;
      this.responseFutures.delete(nonce);
      f.complete({ code: ResponseCode.SYSTEM_BUSY, remark: "call remote timeout" });
    }
  }
}
