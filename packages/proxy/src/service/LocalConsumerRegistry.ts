/**
 * Local mode's consumer registry: each gRPC consumer becomes a client channel of the in-process
 * broker's ConsumerManager (Java's local mode registers its GrpcClientChannel there), so the broker
 * answers GET_CONSUMER_CONNECTION_LIST / consumerProgress with the 5.x clients: their client id,
 * address, language (`HTTP` for the Node client) and the proxy's version, CONSUME_ACTIVELY for simple
 * consumers, CLUSTERING, CONSUME_FROM_LAST_OFFSET.
 *
 * The channel is a remoting Connection over a transport that leads to no socket (GrpcChannelTransport):
 * the broker's oneway notices (NOTIFY_CONSUMER_IDS_CHANGED) end there; a request the broker relays to
 * the client (GET_CONSUMER_RUNNING_INFO, CONSUME_MESSAGE_DIRECTLY from mqadmin) goes to `relay`
 * (ClientRelay: over the client's Telemetry stream) and its answer back to the broker. The broker's own
 * 120 s scan drops a channel whose client stopped heartbeating; the proxy unregisters on client
 * termination and expiry at once.
 */
import {
  Connection,
  CURRENT_VERSION,
  decodeFramePayload,
  encodeFrameParts,
  isLanguageCode,
  isOneway,
  isResponse,
  type FrameSink,
  type RemotingCommand,
  type FrameTransport,
} from "@rocketmq-ts/remoting";
import type { ConsumerManager } from "@rocketmq-ts/broker";
import type { Logger } from "pino";
import type { ConsumerRegistration, ConsumerRegistry } from "./ConsumerRegistry.js";

/** Carries a broker's request to the gRPC client; null: no answer (the broker's request times out). */
export type ClientRequestRelay = (clientId: string, request: RemotingCommand) => Promise<RemotingCommand | null>;

/** A FrameTransport whose far end is the proxy: it answers what the broker asks of a gRPC client. */
class GrpcChannelTransport implements FrameTransport {
  readonly localAddr = "";
  readonly isWritable = true;
  readonly pendingWriteBytes = 0;
  private sink: FrameSink | null = null;

  constructor(
    readonly remoteAddr: string,
    private readonly clientId: string,
    private readonly relay: ClientRequestRelay,
    private readonly logger: Logger,
  ) {}

  start(sink: FrameSink): void {
    this.sink = sink;
  }

  writeFrame(parts: readonly Buffer[], done?: (err: Error | null) => void): void {
    done?.(null);
    if (this.sink === null) return;
    let request;
    try {
      request = decodeFramePayload(Buffer.concat(parts).subarray(4));
    } catch {
      return;
    }
    if (isResponse(request) || isOneway(request)) return;
    this.relay(this.clientId, request).then(
      (answer) => {
        if (answer !== null && this.sink !== null) this.sink.frame(Buffer.concat(encodeFrameParts(answer)).subarray(4));
      },
      (err: unknown) =>
        this.logger.warn({ err, clientId: this.clientId, code: request.code }, "relay to gRPC client failed"),
    );
  }

  destroy(): void {
    this.sink = null;
  }
}

export class LocalConsumerRegistry implements ConsumerRegistry {
  /** client id → its channel and the groups registered on it */
  private readonly clients = new Map<string, { connection: Connection; groups: Set<string> }>();

  constructor(
    private readonly consumerManager: ConsumerManager,
    private readonly logger: Logger,
    private readonly relay: ClientRequestRelay,
  ) {}

  register(r: ConsumerRegistration): void {
    let client = this.clients.get(r.clientId);
    if (!client || client.connection.isClosed) {
      const connection = new Connection(new GrpcChannelTransport(r.remoteAddr, r.clientId, this.relay, this.logger), {
        logger: this.logger,
        maxFrameLength: 16 * 1024 * 1024,
        idleTimeoutMs: 0,
        writeHighWaterMark: 0,
      });
      const fresh = { connection, groups: new Set<string>() };
      connection.once("close", () => {
        if (this.clients.get(r.clientId) === fresh) this.clients.delete(r.clientId);
        this.consumerManager.doChannelCloseEvent(connection);
      });
      this.clients.set(r.clientId, (client = fresh));
    }
    client.groups.add(r.group);
    this.consumerManager.registerConsumer(
      {
        groupName: r.group,
        consumeType: r.consumeType,
        messageModel: "CLUSTERING",
        consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
        subscriptionDataSet: r.subscriptions,
        unitMode: false,
      },
      {
        connection: client.connection,
        clientId: r.clientId,
        language: isLanguageCode(r.language) ? r.language : null,
        version: CURRENT_VERSION,
        lastUpdateTimestamp: Date.now(),
      },
      // Java's ClientProcessor: the broker does not notify the group's consumers of gRPC clients
      false,
    );
  }

  unregister(clientId: string, group: string): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    this.consumerManager.unregisterConsumer(group, client.connection, false);
    client.groups.delete(group);
    if (client.groups.size === 0) this.close(clientId);
  }

  unregisterClient(clientId: string): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    for (const group of client.groups) this.consumerManager.unregisterConsumer(group, client.connection, false);
    this.close(clientId);
  }

  unregisterAll(): void {
    for (const clientId of [...this.clients.keys()]) this.unregisterClient(clientId);
  }

  private close(clientId: string): void {
    const client = this.clients.get(clientId);
    this.clients.delete(clientId);
    client?.connection.close("gRPC client gone");
  }
}
