/**
 * How the API answers a failure: the broker's or name server's own code and remark (what Java's
 * tools print), with 502 when the cluster refused or could not be reached, 400 for a bad request.
 */
import { MQBrokerException, MQClientException } from "@rocketmq-ts/client";
import type { FastifyError, FastifyInstance } from "fastify";
import { ConsoleConfigError } from "../config.js";

export interface ApiError {
  error: { code: number | null; remark: string };
}

export const apiErrorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: ["integer", "null"] }, remark: { type: "string" } },
      required: ["code", "remark"],
    },
  },
  required: ["error"],
} as const;

export function errorBody(err: unknown): { status: number; body: ApiError } {
  if (err instanceof MQClientException || err instanceof MQBrokerException) {
    return { status: 502, body: { error: { code: err.responseCode, remark: err.errorMessage } } };
  }
  if (err instanceof ConsoleConfigError) return { status: 400, body: { error: { code: null, remark: err.message } } };
  const fe = err as Partial<FastifyError>;
  if (fe.validation || (fe.statusCode !== undefined && fe.statusCode < 500)) {
    return { status: fe.statusCode ?? 400, body: { error: { code: null, remark: fe.message ?? "bad request" } } };
  }
  return { status: 502, body: { error: { code: null, remark: err instanceof Error ? err.message : String(err) } } };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorBody(err);
    if (status >= 500) request.log.warn({ err: body.error.remark, url: request.url }, "request failed");
    void reply.status(status).send(body);
  });
}
