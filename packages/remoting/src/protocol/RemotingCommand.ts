import type { LanguageCode } from "./LanguageCode.js";
import { CURRENT_VERSION } from "./MQVersion.js";

export type SerializeType = "JSON" | "ROCKETMQ";

/** The "custom header": string → string, emitted in insertion order. */
export type ExtFields = Record<string, string>;

export const FLAG_RESPONSE = 1;
export const FLAG_ONEWAY = 2;

/**
 * One remoting command, request or response. `extFields` is null when the sender attached no
 * header object (JSON: key absent) and `{}` when it attached one whose fields were all null.
 * `language` is null only when a peer sent an unknown language.
 */
export interface RemotingCommand {
  code: number;
  language: LanguageCode | null;
  version: number;
  opaque: number;
  flag: number;
  remark: string | null;
  extFields: ExtFields | null;
  body: Buffer | null;
  /**
   * A body written as pieces one after another, never joined (a pull answer's records: views of the
   * mapped commit log go to the socket as they lie). Only on commands this process writes; `body` is
   * then null. {@link commandBody} reads either.
   */
  bodyParts?: readonly Buffer[] | null;
  serializeType: SerializeType;
}

/** The body of `cmd` as one buffer, joining {@link RemotingCommand.bodyParts} if it has them. */
export function commandBody(cmd: RemotingCommand): Buffer | null {
  if (cmd.body !== null || !cmd.bodyParts || cmd.bodyParts.length === 0) return cmd.body;
  return Buffer.concat(cmd.bodyParts);
}

export function isResponse(cmd: RemotingCommand): boolean {
  return (cmd.flag & FLAG_RESPONSE) === FLAG_RESPONSE;
}

export function isOneway(cmd: RemotingCommand): boolean {
  return (cmd.flag & FLAG_ONEWAY) === FLAG_ONEWAY;
}

let opaqueCounter = 0;

/** Process-wide request id, an int32 that wraps like Java's AtomicInteger. */
export function nextOpaque(): number {
  const value = opaqueCounter;
  opaqueCounter = (opaqueCounter + 1) | 0;
  return value;
}

function envSerializeType(): SerializeType {
  const v = process.env["ROCKETMQ_SERIALIZE_TYPE"];
  return v === "ROCKETMQ" ? "ROCKETMQ" : "JSON";
}

/** Process default header encoding: JSON unless ROCKETMQ_SERIALIZE_TYPE=ROCKETMQ (as Java). */
export let defaultSerializeType: SerializeType = envSerializeType();

export function setDefaultSerializeType(type: SerializeType): void {
  defaultSerializeType = type;
}

export interface CommandInit {
  extFields?: ExtFields | null;
  body?: Buffer | null;
  /** See {@link RemotingCommand.bodyParts}; `body` is ignored when these are given. */
  bodyParts?: readonly Buffer[] | null;
  remark?: string | null;
  language?: LanguageCode;
  version?: number;
  serializeType?: SerializeType;
}

export function createRequest(code: number, init: CommandInit = {}): RemotingCommand {
  return {
    code,
    language: init.language ?? "JAVA",
    version: init.version ?? CURRENT_VERSION,
    opaque: nextOpaque(),
    flag: 0,
    remark: init.remark ?? null,
    extFields: init.extFields ?? null,
    body: init.body ?? null,
    serializeType: init.serializeType ?? defaultSerializeType,
  };
}

export function createOnewayRequest(code: number, init: CommandInit = {}): RemotingCommand {
  const cmd = createRequest(code, init);
  cmd.flag |= FLAG_ONEWAY;
  return cmd;
}

/**
 * A response to `request`: echoes its opaque and, as Java 4.9.8 does for processor replies,
 * uses the request's header encoding.
 */
export function createResponse(request: RemotingCommand, code: number, init: CommandInit = {}): RemotingCommand {
  return {
    code,
    language: init.language ?? "JAVA",
    version: init.version ?? CURRENT_VERSION,
    opaque: request.opaque,
    flag: FLAG_RESPONSE,
    remark: init.remark ?? null,
    extFields: init.extFields ?? null,
    body: init.bodyParts ? null : (init.body ?? null),
    bodyParts: init.bodyParts ?? null,
    serializeType: init.serializeType ?? request.serializeType,
  };
}
