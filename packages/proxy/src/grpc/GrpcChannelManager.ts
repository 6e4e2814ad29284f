/**
 * Java's GrpcChannelManager + GrpcClientChannel, reduced to what the proxy uses: per client id the
 * Telemetry stream to write server→client commands on, and the producer groups (= topics) and
 * consumer groups the client stands for; and when each client was last heard of, so clients that
 * die without NotifyClientTermination can be expired (see ExpiredClientCleaner).
 */
import type { TelemetryCommand } from "./v2types.js";

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

  /** Java's increasing decimal nonce for server→client commands. */
  nextNonce(): string {
    this.nonce += 1;
    return String(this.nonce);
  }
}
