import type { RemotingCommand, SerializeType } from "../protocol/RemotingCommand.js";
import { decodeBinaryHeader, encodeBinaryHeader } from "./binaryHeader.js";
import { decodeJsonHeader, encodeJsonHeader } from "./jsonHeader.js";
import { RemotingCodecError } from "./RemotingCodecError.js";

/** Java's default `com.rocketmq.remoting.frameMaxLength`: the whole frame incl. its length prefix. */
export const DEFAULT_FRAME_MAX_LENGTH = 16 * 1024 * 1024;

const SERIALIZE_TYPE_CODE: Record<SerializeType, number> = { JSON: 0, ROCKETMQ: 1 };
const MAX_HEADER_LENGTH = 0xffffff;

/** The header's bytes, after `reserve` free bytes. */
export function encodeCommandHeader(cmd: RemotingCommand, reserve = 0): Buffer {
  return cmd.serializeType === "ROCKETMQ" ? encodeBinaryHeader(cmd, reserve) : encodeJsonHeader(cmd, reserve);
}

/**
 * Encode a whole frame: int32 length (bytes after it), int32 (serialize type << 24 | header length),
 * header, body. Returned as [prefix+header, body…] so a large body (or a body in pieces) is written
 * without copying.
 */
export function encodeFrameParts(cmd: RemotingCommand): Buffer[] {
  const head = encodeCommandHeader(cmd, 8);
  const headerLength = head.length - 8;
  if (headerLength > MAX_HEADER_LENGTH) throw new RemotingCodecError(`Header too long: ${headerLength} bytes`);
  const pieces = cmd.bodyParts;
  let bodyLength = cmd.body?.length ?? 0;
  if (pieces) for (const piece of pieces) bodyLength += piece.length;
  head.writeInt32BE(4 + headerLength + bodyLength, 0);
  head.writeInt32BE(((SERIALIZE_TYPE_CODE[cmd.serializeType] << 24) | headerLength) >>> 0, 4);
  if (pieces && pieces.length > 0) {
    const parts = [head];
    if (cmd.body && cmd.body.length > 0) parts.push(cmd.body);
    for (const piece of pieces) if (piece.length > 0) parts.push(piece);
    return parts;
  }
  return cmd.body && bodyLength > 0 ? [head, cmd.body] : [head];
}

export function encodeFrame(cmd: RemotingCommand): Buffer {
  const parts = encodeFrameParts(cmd);
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/**
 * Decode the bytes of one frame after its 4-byte length prefix. The body is a view on `frame`
 * (no copy). Throws RemotingCodecError for any malformed content.
 */
export function decodeFramePayload(frame: Buffer): RemotingCommand {
  if (frame.length < 4) throw new RemotingCodecError(`Frame too short: ${frame.length} bytes`);
  const word = frame.readUInt32BE(0);
  const typeCode = word >>> 24;
  const headerLength = word & MAX_HEADER_LENGTH;
  if (headerLength > frame.length - 4) {
    throw new RemotingCodecError(`Header length ${headerLength} exceeds frame length ${frame.length}`);
  }
  let serializeType: SerializeType;
  let header;
  if (typeCode === 0) {
    serializeType = "JSON";
    header = decodeJsonHeader(frame.subarray(4, 4 + headerLength));
  } else if (typeCode === 1) {
    serializeType = "ROCKETMQ";
    header = decodeBinaryHeader(frame, 4, 4 + headerLength);
  } else {
    throw new RemotingCodecError(`Unknown serialize type ${typeCode}`);
  }
  const bodyLength = frame.length - 4 - headerLength;
  return {
    code: header.code,
    language: header.language,
    version: header.version,
    opaque: header.opaque,
    flag: header.flag,
    remark: header.remark,
    extFields: header.extFields,
    body: bodyLength > 0 ? frame.subarray(4 + headerLength) : null,
    serializeType,
  };
}

/** Decode a whole frame including its length prefix. */
export function decodeFrame(bytes: Buffer): RemotingCommand {
  if (bytes.length < 4) throw new RemotingCodecError("Frame too short");
  const length = bytes.readInt32BE(0);
  if (length !== bytes.length - 4)
    throw new RemotingCodecError(`Frame length ${length} does not match ${bytes.length - 4} bytes`);
  return decodeFramePayload(bytes.subarray(4));
}
