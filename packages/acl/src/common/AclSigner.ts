import { createHmac } from "node:crypto";
import { commandBody, type ExtFields, type RemotingCommand } from "@rocketmq-ts/remoting";
import { SIGNATURE } from "./SessionCredentials.js";

/**
 * The signature of 4.9.8's plain ACL (AclUtils / AclSigner), the same on both ends of the wire: the
 * ext fields sorted by key (Java's TreeMap: UTF-16 code-unit order, which is JavaScript's default
 * string order), their **values** concatenated as UTF-8 (the `Signature` field itself left out),
 * the body bytes appended, HmacSHA1 with the secret key, base64.
 *
 * The content is kept as its two parts and fed to the HMAC one after the other (Java joins them into
 * one array first): the body is not copied for every signed or checked request.
 */
export interface SignedContent {
  /** The sorted field values, concatenated. */
  readonly text: string;
  readonly body: Buffer | null;
}

export function calSignature(content: SignedContent, secretKey: string): string {
  const hmac = createHmac("sha1", secretKey);
  hmac.update(content.text, "utf8");
  if (content.body && content.body.length > 0) hmac.update(content.body);
  return hmac.digest("base64");
}

/** What is signed: sorted values of `fields` (minus `Signature` and `skip`), then the body. */
export function requestContent(fields: ExtFields, body: Buffer | null, skip?: string): SignedContent {
  let text = "";
  for (const key of Object.keys(fields).sort()) {
    if (key === SIGNATURE || key === skip) continue;
    text += fields[key];
  }
  return { text, body };
}

/** Signature of a request as the client computes it (after AccessKey/SecurityToken were added). */
export function requestSignature(request: RemotingCommand, secretKey: string): string {
  return calSignature(requestContent(request.extFields ?? {}, commandBody(request)), secretKey);
}
