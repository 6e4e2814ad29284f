/**
 * The per-request context Java's ContextInitPipeline builds from the gRPC metadata: client id
 * (`x-mq-client-id`, required by every RPC → CLIENT_ID_REQUIRED "client id cannot be empty"),
 * language, client version, namespace, remote address and the time left before the deadline.
 */
import type { Metadata } from "@grpc/grpc-js";
import { Code } from "./Code.js";
import { GrpcProxyException } from "./ResponseBuilder.js";

export interface ProxyContext {
  clientId: string;
  language: string;
  clientVersion: string;
  namespace: string;
  remoteAddress: string;
  /** epoch ms of the call's deadline, or null when the client set none */
  deadline: number | null;
  now: () => number;
}

const first = (md: Metadata, key: string): string => {
  const v = md.get(key)[0];
  return typeof v === "string" ? v : v instanceof Buffer ? v.toString("utf8") : "";
};

export function createProxyContext(
  metadata: Metadata,
  peer: string,
  deadline: number | null,
  now: () => number,
): ProxyContext {
  return {
    clientId: first(metadata, "x-mq-client-id"),
    language: first(metadata, "x-mq-language"),
    clientVersion: first(metadata, "x-mq-client-version"),
    namespace: first(metadata, "x-mq-namespace"),
    remoteAddress: peer.replace(/^ipv[46]:/, ""),
    deadline,
    now,
  };
}

/** Java's validateContext. */
export function validateContext(ctx: ProxyContext): void {
  if (ctx.clientId.trim().length === 0)
    throw new GrpcProxyException(Code.CLIENT_ID_REQUIRED, "client id cannot be empty");
}

/** Milliseconds left before the deadline (Java `ctx.getRemainingMs()`); null without a deadline. */
export function remainingMs(ctx: ProxyContext): number | null {
  return ctx.deadline === null ? null : ctx.deadline - ctx.now();
}
