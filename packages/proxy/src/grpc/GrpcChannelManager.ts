/**
 * Java's GrpcChannelManager + GrpcClientChannel, reduced to what the proxy uses: per client id the
 * Telemetry stream to write server→client commands on, and the producer groups (= topics) and
 * consumer groups the client stands for.
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
  private nonce = 0;

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
