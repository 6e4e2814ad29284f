/**
 * Telemetry (settings), Heartbeat and NotifyClientTermination (Java's ClientActivity).
 *
 * Java semantics kept: PUBLISHING settings validate every topic and register the client as producer
 * of group = topic (TRANSACTION topics also make the proxy stand for that group at the brokers, so
 * their CHECK_TRANSACTION_STATE reach it); SUBSCRIPTION settings validate the group and each
 * subscription's filter (ILLEGAL_FILTER_EXPRESSION "expression format is not correct", as the
 * consumer's Heartbeat) and register the consumer; settings without either end the stream with
 * INVALID_ARGUMENT "there is no publishing or subscription data in settings"; a failure ends it
 * with INVALID_ARGUMENT for a 400xx code, INTERNAL otherwise, the description "process client
 * telemetryCommand failed. <message>". The answer is one command {status OK, merged settings}.
 * Heartbeat / NotifyClientTermination without stored settings → UNRECOGNIZED_CLIENT_TYPE "cannot find
 * client settings for this client".
 */
import { status as GrpcStatus } from "@grpc/grpc-js";
import { buildSqlSubscriptionData, buildSubscriptionData, type SubscriptionData } from "@rocketmq-ts/common";
import { isLanguageCode, javaStringHashCode } from "@rocketmq-ts/remoting";
import type { ProxyDeps } from "../ProxyDeps.js";
import { Code } from "./Code.js";
import type { TelemetryWriter } from "./GrpcChannelManager.js";
import { validateConsumerGroup, validateFilterExpression, validateTopic } from "./GrpcValidator.js";
import type { ProxyContext } from "./ProxyContext.js";
import { buildStatus, GrpcProxyException, OK_STATUS } from "./ResponseBuilder.js";
import type {
  ClientType,
  HeartbeatRequest,
  NotifyClientTerminationRequest,
  StatusResponse,
  SubscriptionEntry,
  TelemetryCommand,
} from "./v2types.js";

/** Ends a Telemetry stream with a gRPC status (Java's `responseObserver.onError`). */
export class TelemetryStreamError extends Error {
  constructor(
    readonly grpcCode: GrpcStatus,
    message: string,
  ) {
    super(message);
    this.name = "TelemetryStreamError";
  }
}

/** Java's `LanguageCode.valueOf`: a name outside the enum fails. */
function checkLanguage(ctx: ProxyContext): void {
  if (!isLanguageCode(ctx.language))
    throw new Error(`No enum constant org.apache.rocketmq.remoting.protocol.LanguageCode.${ctx.language}`);
}

const UNRECOGNIZED = (): StatusResponse => ({
  status: buildStatus(Code.UNRECOGNIZED_CLIENT_TYPE, "cannot find client settings for this client"),
});

export class ClientActivity {
  constructor(private readonly deps: ProxyDeps) {}

  private async registerProducer(ctx: ProxyContext, topic: string): Promise<void> {
    checkLanguage(ctx);
    const channel = this.deps.channels.createChannel(ctx.clientId);
    channel.producerGroups.add(topic);
    const type = await this.deps.routes.getTopicMessageType(topic).catch(() => "UNSPECIFIED");
    if (type === "TRANSACTION") this.deps.messageService.updateClientGroups(this.deps.channels.allProducerGroups());
  }

  private registerConsumer(
    ctx: ProxyContext,
    group: string,
    clientType: ClientType | undefined,
    subscriptions: readonly SubscriptionEntry[],
  ): void {
    checkLanguage(ctx);
    // Java's buildSubscriptionDataSet: FilterAPI.build on each entry, one text for every refusal
    const subscriptionDataSet = subscriptions.map((sub): SubscriptionData => {
      const topic = sub.topic?.name ?? "";
      const { type, expression } = sub.expression ?? {};
      try {
        validateFilterExpression(type, expression);
      } catch {
        throw new GrpcProxyException(Code.ILLEGAL_FILTER_EXPRESSION, "expression format is not correct");
      }
      return type === "SQL"
        ? buildSqlSubscriptionData(topic, expression ?? "", "SQL92")
        : buildSubscriptionData(topic, expression, javaStringHashCode);
    });
    this.deps.channels.createChannel(ctx.clientId).consumerGroups.add(group);
    this.deps.consumers.register({
      clientId: ctx.clientId,
      group,
      language: ctx.language,
      remoteAddr: ctx.remoteAddress,
      consumeType: clientType === "SIMPLE_CONSUMER" ? "CONSUME_ACTIVELY" : "CONSUME_PASSIVELY",
      subscriptions: subscriptionDataSet,
    });
  }

  /** One client→server command; writes the answer on `writer`, or throws TelemetryStreamError. */
  async telemetry(ctx: ProxyContext, command: TelemetryCommand, writer: TelemetryWriter): Promise<void> {
    try {
      if (command.settings !== undefined) await this.processSettings(ctx, command, writer);
      else if (command.thread_stack_trace !== undefined)
        this.deps.relay.onThreadStackTrace(command.status, command.thread_stack_trace);
      else if (command.verify_message_result !== undefined)
        this.deps.relay.onVerifyMessageResult(command.status, command.verify_message_result);
    } catch (err) {
      if (err instanceof TelemetryStreamError) throw err;
      const message = `process client telemetryCommand failed. ${err instanceof Error ? err.message : String(err)}`;
      const invalid =
        err instanceof GrpcProxyException && err.code >= Code.BAD_REQUEST && err.code < Code.INTERNAL_ERROR;
      if (!invalid) this.deps.logger.warn({ err }, "process client telemetryCommand failed");
      throw new TelemetryStreamError(invalid ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL, message);
    }
  }

  private async processSettings(ctx: ProxyContext, command: TelemetryCommand, writer: TelemetryWriter): Promise<void> {
    const settings = command.settings ?? {};
    if (settings.publishing !== undefined) {
      for (const topic of settings.publishing.topics ?? []) {
        validateTopic(topic);
        await this.registerProducer(ctx, topic.name ?? "");
        this.deps.channels.createChannel(ctx.clientId).writer = writer;
      }
    } else if (settings.subscription !== undefined) {
      validateConsumerGroup(settings.subscription.group);
      this.registerConsumer(
        ctx,
        settings.subscription.group?.name ?? "",
        settings.client_type,
        settings.subscription.subscriptions ?? [],
      );
      this.deps.channels.createChannel(ctx.clientId).writer = writer;
    } else {
      throw new TelemetryStreamError(
        GrpcStatus.INVALID_ARGUMENT,
        "there is no publishing or subscription data in settings",
      );
    }
    this.deps.settings.updateClientSettings(ctx.clientId, settings);
    this.deps.channels.touch(ctx.clientId, this.deps.now());
    const merged = await this.deps.settings.getClientSettings(ctx.clientId);
    writer.write({ status: OK_STATUS, settings: merged ?? {} });
  }

  async heartbeat(ctx: ProxyContext, request: HeartbeatRequest): Promise<StatusResponse> {
    const settings = await this.deps.settings.getClientSettings(ctx.clientId);
    if (!settings) return UNRECOGNIZED();
    this.deps.channels.touch(ctx.clientId, this.deps.now());
    switch (settings.client_type) {
      case "PRODUCER":
        for (const topic of settings.publishing?.topics ?? []) await this.registerProducer(ctx, topic.name ?? "");
        break;
      case "PUSH_CONSUMER":
      case "SIMPLE_CONSUMER":
        validateConsumerGroup(request.group);
        this.registerConsumer(
          ctx,
          request.group?.name ?? "",
          settings.client_type,
          settings.subscription?.subscriptions ?? [],
        );
        break;
      default:
        return {
          status: buildStatus(Code.UNRECOGNIZED_CLIENT_TYPE, settings.client_type ?? "CLIENT_TYPE_UNSPECIFIED"),
        };
    }
    return { status: OK_STATUS };
  }

  async notifyClientTermination(ctx: ProxyContext, request: NotifyClientTerminationRequest): Promise<StatusResponse> {
    checkLanguage(ctx);
    const settings = await this.deps.settings.removeAndGetClientSettings(ctx.clientId);
    if (!settings) return UNRECOGNIZED();
    this.deps.channels.forgetActivity(ctx.clientId);
    switch (settings.client_type) {
      case "PRODUCER":
        this.deps.channels.removeChannel(ctx.clientId);
        this.deps.messageService.updateClientGroups(this.deps.channels.allProducerGroups());
        break;
      case "PUSH_CONSUMER":
      case "SIMPLE_CONSUMER":
        validateConsumerGroup(request.group);
        this.deps.channels.removeChannel(ctx.clientId);
        this.deps.consumers.unregister(ctx.clientId, request.group?.name ?? "");
        void this.deps.receiptHandles.clearClient(ctx.clientId);
        break;
      default:
        return {
          status: buildStatus(Code.UNRECOGNIZED_CLIENT_TYPE, settings.client_type ?? "CLIENT_TYPE_UNSPECIFIED"),
        };
    }
    return { status: OK_STATUS };
  }
}
