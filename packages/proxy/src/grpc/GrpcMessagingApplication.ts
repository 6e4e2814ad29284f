/**
 * The `apache.rocketmq.v2.MessagingService` implementation grpc-js serves (Java's
 * GrpcMessagingApplication): builds the request context from the metadata, checks the client id,
 * runs the activity and writes its response; a failure becomes the RPC's response with the mapped
 * application status (never a gRPC error). PullMessage / UpdateOffset / GetOffset / QueryOffset /
 * SyncLiteSubscription are left out, so grpc-js answers UNIMPLEMENTED as Java 5.3.3 does for the RPCs
 * it does not override.
 */
import {
  status as GrpcStatus,
  type handleBidiStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { ProxyDeps } from "../ProxyDeps.js";
import { ClientActivity, TelemetryStreamError } from "./ClientActivity.js";
import { ConsumerActivity } from "./ConsumerActivity.js";
import { EndTransactionActivity } from "./EndTransactionActivity.js";
import type { TelemetryWriter } from "./GrpcChannelManager.js";
import { createProxyContext, validateContext, type ProxyContext } from "./ProxyContext.js";
import { statusOfError } from "./ResponseBuilder.js";
import { RecallMessageActivity } from "./RecallMessageActivity.js";
import { RouteActivity } from "./RouteActivity.js";
import { SendMessageActivity } from "./SendMessageActivity.js";
import type {
  AckMessageRequest,
  AckMessageResponse,
  ChangeInvisibleDurationRequest,
  ChangeInvisibleDurationResponse,
  EndTransactionRequest,
  ForwardMessageToDeadLetterQueueRequest,
  HeartbeatRequest,
  NotifyClientTerminationRequest,
  QueryAssignmentRequest,
  QueryAssignmentResponse,
  QueryRouteRequest,
  QueryRouteResponse,
  ReceiveMessageRequest,
  ReceiveMessageResponse,
  RecallMessageRequest,
  RecallMessageResponse,
  SendMessageRequest,
  SendMessageResponse,
  Status,
  StatusResponse,
  TelemetryCommand,
} from "./v2types.js";

function deadlineOf(deadline: Date | number): number | null {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : null;
}

export class GrpcMessagingApplication {
  readonly client: ClientActivity;
  readonly route: RouteActivity;
  readonly send: SendMessageActivity;
  readonly transaction: EndTransactionActivity;
  readonly consumer: ConsumerActivity;
  readonly recall: RecallMessageActivity;

  constructor(private readonly deps: ProxyDeps) {
    this.client = new ClientActivity(deps);
    this.route = new RouteActivity(deps);
    this.send = new SendMessageActivity(deps);
    this.transaction = new EndTransactionActivity(deps);
    this.consumer = new ConsumerActivity(deps);
    this.recall = new RecallMessageActivity(deps);
    deps.messageService.onCheckTransactionState((req) => this.transaction.onCheckTransactionState(req));
  }

  /** The request's context; every RPC carrying a client id counts as that client's activity. */
  private context(metadata: Metadata, peer: string, deadline: Date | number): ProxyContext {
    const ctx = createProxyContext(metadata, peer, deadlineOf(deadline), this.deps.now);
    this.deps.channels.touch(ctx.clientId.trim(), this.deps.now());
    return ctx;
  }

  private unary<Req, Res>(
    run: (ctx: ProxyContext, request: Req) => Promise<Res>,
    onError: (status: Status) => Res,
  ): handleUnaryCall<Req, Res> {
    return (call: ServerUnaryCall<Req, Res>, callback) => {
      const ctx = this.context(call.metadata, call.getPeer(), call.getDeadline());
      const work = async (): Promise<Res> => {
        validateContext(ctx);
        return run(ctx, call.request);
      };
      work().then(
        (response) => callback(null, response),
        (err: unknown) => {
          const status = statusOfError(err);
          if (Number(status.code) >= 50000) this.deps.logger.warn({ err }, "grpc request failed");
          callback(null, onError(status));
        },
      );
    };
  }

  implementation(): UntypedServiceImplementation {
    const statusOnly = (status: Status): StatusResponse => ({ status });
    const queryRoute: handleUnaryCall<QueryRouteRequest, QueryRouteResponse> = this.unary(
      (_ctx, req) => this.route.queryRoute(req),
      statusOnly,
    );
    const queryAssignment: handleUnaryCall<QueryAssignmentRequest, QueryAssignmentResponse> = this.unary(
      (_ctx, req) => this.route.queryAssignment(req),
      statusOnly,
    );
    const heartbeat: handleUnaryCall<HeartbeatRequest, StatusResponse> = this.unary(
      (ctx, req) => this.client.heartbeat(ctx, req),
      statusOnly,
    );
    const notifyClientTermination: handleUnaryCall<NotifyClientTerminationRequest, StatusResponse> = this.unary(
      (ctx, req) => this.client.notifyClientTermination(ctx, req),
      statusOnly,
    );
    const sendMessage: handleUnaryCall<SendMessageRequest, SendMessageResponse> = this.unary(
      (ctx, req) => this.send.sendMessage(ctx, req),
      statusOnly,
    );
    const endTransaction: handleUnaryCall<EndTransactionRequest, StatusResponse> = this.unary(
      (_ctx, req) => this.transaction.endTransaction(req),
      statusOnly,
    );
    const recallMessage: handleUnaryCall<RecallMessageRequest, RecallMessageResponse> = this.unary(
      (_ctx, req) => this.recall.recallMessage(req),
      statusOnly,
    );
    const ackMessage: handleUnaryCall<AckMessageRequest, AckMessageResponse> = this.unary(
      (ctx, req) => this.consumer.ackMessage(ctx, req),
      statusOnly,
    );
    const changeInvisibleDuration: handleUnaryCall<ChangeInvisibleDurationRequest, ChangeInvisibleDurationResponse> =
      this.unary((ctx, req) => this.consumer.changeInvisibleDuration(ctx, req), statusOnly);
    const forwardMessageToDeadLetterQueue: handleUnaryCall<ForwardMessageToDeadLetterQueueRequest, StatusResponse> =
      this.unary((ctx, req) => this.consumer.forwardMessageToDeadLetterQueue(ctx, req), statusOnly);

    const receiveMessage: handleServerStreamingCall<ReceiveMessageRequest, ReceiveMessageResponse> = (call) => {
      const ctx = this.context(call.metadata, call.getPeer(), call.getDeadline());
      const write = (item: ReceiveMessageResponse): boolean => {
        if (call.cancelled || call.destroyed) return false;
        call.write(item);
        return true;
      };
      const run = async (): Promise<void> => {
        try {
          validateContext(ctx);
          await this.consumer.receiveMessage(ctx, call.request, write);
        } catch (err) {
          write({ status: statusOfError(err) });
          write({ delivery_timestamp: { seconds: Math.floor(this.deps.now() / 1000), nanos: 0 } });
        }
        if (!call.cancelled && !call.destroyed) call.end();
      };
      void run();
    };

    const telemetry: handleBidiStreamingCall<TelemetryCommand, TelemetryCommand> = (call) => {
      let ended = false;
      const writer: TelemetryWriter = {
        write: (command) => {
          if (!ended && !call.cancelled && !call.destroyed) call.write(command);
        },
      };
      const finish = (): void => {
        this.deps.channels.dropWriter(writer);
        ended = true;
      };
      call.on("data", (command: TelemetryCommand) => {
        const ctx = this.context(call.metadata, call.getPeer(), call.getDeadline());
        const work = async (): Promise<void> => {
          validateContext(ctx);
          await this.client.telemetry(ctx, command, writer);
        };
        work().catch((err: unknown) => {
          if (ended) return;
          if (err instanceof TelemetryStreamError) {
            finish();
            call.emit("error", { code: err.grpcCode, details: err.message });
            return;
          }
          // Java writes the mapped status as a command when the pipeline refuses the request
          writer.write({ status: statusOfError(err) });
        });
      });
      call.on("end", () => {
        finish();
        call.end();
      });
      call.on("error", () => finish());
      call.on("cancelled", () => finish());
    };

    return {
      QueryRoute: queryRoute,
      Heartbeat: heartbeat,
      SendMessage: sendMessage,
      QueryAssignment: queryAssignment,
      ReceiveMessage: receiveMessage,
      AckMessage: ackMessage,
      ForwardMessageToDeadLetterQueue: forwardMessageToDeadLetterQueue,
      EndTransaction: endTransaction,
      Telemetry: telemetry,
      NotifyClientTermination: notifyClientTermination,
      ChangeInvisibleDuration: changeInvisibleDuration,
      RecallMessage: recallMessage,
    };
  }
}

export { GrpcStatus };
