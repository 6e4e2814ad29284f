import { createHmac } from "node:crypto";
import { commandBody, type ExtFields, type RemotingCommand } from "@rocketmq-ts/remoting";
import { SIGNATURE } from "./SessionCredentials.js";

/**
 * The signature of 4.9.8's plain ACL (AclUtils / AclSigner), the same on both ends of the wire: the
 * ext fields sorted by key (Java's TreeMap: UTF-16 code-unit order, which is JavaScript's default
 * string order), their **values** concatenated as UTF-8 (the `Signature` field itself left out),
 * the body bytes appended, HmacSHA1 with the secret key, base64.
 */
export function calSignature(content: Buffer, secretKey: string): string {
  return createHmac("sha1", Buffer.from(secretKey, "utf8")).update(content).digest("base64");
}

/** The bytes that are signed: sorted values of `fields` (minus `Signature`) then the body. */
export function combineRequestContent(fields: ExtFields, body: Buffer | null, skip: readonly string[] = []): Buffer {
  let text = "";
  for (const key of Object.keys(fields).sort()) {
    if (key === SIGNATURE || skip.includes(key)) continue;
    text += fields[key];
  }
  const head = Buffer.from(text, "utf8");
  return body && body.length > 0 ? Buffer.concat([head, body]) : head;
}

/** Signature of a request as the client computes it (after AccessKey/SecurityToken were added). */
export function requestSignature(request: RemotingCommand, secretKey: string): string {
  return calSignature(combineRequestContent(request.extFields ?? {}, commandBody(request)), secretKey);
}
