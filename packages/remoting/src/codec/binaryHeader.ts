import { languageFromByte, languageToByte } from "../protocol/LanguageCode.js";
import type { ExtFields } from "../protocol/RemotingCommand.js";
import { setOwn, type CommandHeader } from "./jsonHeader.js";
import { RemotingCodecError } from "./RemotingCodecError.js";

const FIXED_PART = 21; // code(2) language(1) version(2) opaque(4) flag(4) remarkLen(4) extLen(4)

/**
 * ROCKETMQ binary header: big-endian fixed part, then length-prefixed remark and ext fields
 * (int16 key length, int32 value length). Empty strings are written as length 0 and so come back
 * as null, as in Java.
 */
export function encodeBinaryHeader(cmd: CommandHeader): Buffer {
  const remarkLength = cmd.remark ? Buffer.byteLength(cmd.remark, "utf8") : 0;
  const keys: string[] = [];
  let extLength = 0;
  if (cmd.extFields !== null) {
    for (const key in cmd.extFields) {
      const value = cmd.extFields[key];
      if (value === undefined || value === null) continue;
      const keyLength = Buffer.byteLength(key, "utf8");
      if (keyLength > 0x7fff)
        throw new RemotingCodecError(`extFields key too long for binary header: ${key.slice(0, 40)}`);
      keys.push(key);
      extLength += 2 + keyLength + 4 + Buffer.byteLength(value, "utf8");
    }
  }
  const out = Buffer.allocUnsafe(FIXED_PART + remarkLength + extLength);
  let p = 0;
  p = out.writeInt16BE(toInt16(cmd.code, "code"), p);
  p = out.writeInt8(cmd.language === null ? 0 : languageToByte(cmd.language), p);
  p = out.writeInt16BE(toInt16(cmd.version, "version"), p);
  p = out.writeInt32BE(cmd.opaque, p);
  p = out.writeInt32BE(cmd.flag, p);
  p = out.writeInt32BE(remarkLength, p);
  if (cmd.remark) p += out.write(cmd.remark, p, "utf8");
  p = out.writeInt32BE(extLength, p);
  const ext = cmd.extFields as ExtFields;
  for (const key of keys) {
    const keyLength = out.write(key, p + 2, "utf8");
    out.writeInt16BE(keyLength, p);
    p += 2 + keyLength;
    const valueLength = out.write(ext[key] as string, p + 4, "utf8");
    out.writeInt32BE(valueLength, p);
    p += 4 + valueLength;
  }
  return out;
}

function toInt16(n: number, field: string): number {
  if (n < -0x8000 || n > 0x7fff) throw new RemotingCodecError(`${field} ${n} does not fit the binary header's int16`);
  return n;
}

export function decodeBinaryHeader(buf: Buffer): CommandHeader {
  if (buf.length < FIXED_PART) throw new RemotingCodecError(`Binary header too short: ${buf.length} bytes`);
  let p = 0;
  const code = buf.readInt16BE(p);
  p += 2;
  const languageByte = buf.readInt8(p);
  p += 1;
  const version = buf.readInt16BE(p);
  p += 2;
  const opaque = buf.readInt32BE(p);
  p += 4;
  const flag = buf.readInt32BE(p);
  p += 4;
  const remarkLength = buf.readInt32BE(p);
  p += 4;
  if (remarkLength < 0 || remarkLength > buf.length - p - 4) {
    throw new RemotingCodecError(`Binary header remark length ${remarkLength} exceeds header`);
  }
  const remark = remarkLength === 0 ? null : buf.toString("utf8", p, p + remarkLength);
  p += remarkLength;
  const extLength = buf.readInt32BE(p);
  p += 4;
  if (extLength < 0 || extLength > buf.length - p) {
    throw new RemotingCodecError(`Binary header extFields length ${extLength} exceeds header`);
  }
  let extFields: ExtFields | null = null;
  if (extLength > 0) {
    extFields = {};
    const end = p + extLength;
    while (p < end) {
      if (end - p < 2) throw new RemotingCodecError("Truncated extFields key length");
      const keyLength = buf.readInt16BE(p);
      p += 2;
      if (keyLength < 0 || keyLength > end - p) throw new RemotingCodecError("extFields key length exceeds header");
      const key = buf.toString("utf8", p, p + keyLength);
      p += keyLength;
      if (end - p < 4) throw new RemotingCodecError("Truncated extFields value length");
      const valueLength = buf.readInt32BE(p);
      p += 4;
      if (valueLength < 0 || valueLength > end - p)
        throw new RemotingCodecError("extFields value length exceeds header");
      const value = buf.toString("utf8", p, p + valueLength);
      p += valueLength;
      // Java decodes zero-length strings as null and keeps null entries out of the map.
      if (keyLength === 0 || valueLength === 0) continue;
      setOwn(extFields, key, value);
    }
  }
  return { code, language: languageFromByte(languageByte), version, opaque, flag, remark, extFields };
}
