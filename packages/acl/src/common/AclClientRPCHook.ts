import { inJavaHashMapOrder, type ExtFields, type RemotingCommand, type RPCHook } from "@rocketmq-ts/remoting";
import { requestSignature } from "./AclSigner.js";
import { ACCESS_KEY, SECURITY_TOKEN, SIGNATURE, type SessionCredentials } from "./SessionCredentials.js";

/**
 * Java's AclClientRPCHook: before every request a client sends, adds `AccessKey` (and
 * `SecurityToken` when set) to its ext fields, then `Signature` over all of them and the body
 * (see {@link requestSignature}). Responses are not checked, as in Java.
 *
 * The ext fields then stand in the order Java's frame lists them: 4.9.8's hook puts AccessKey
 * (and SecurityToken) into a fresh HashMap, the request's header fields after them and Signature
 * last, and the frame lists that HashMap in its iteration order (a signed SEND_MESSAGE_V2 reads
 * `a … n, Signature, AccessKey`).
 */
export class AclClientRPCHook implements RPCHook {
  constructor(readonly sessionCredentials: SessionCredentials) {}

  doBeforeRequest(_remoteAddr: string, request: RemotingCommand): void {
    const fields: ExtFields = { [ACCESS_KEY]: this.sessionCredentials.accessKey };
    if (this.sessionCredentials.securityToken !== undefined) {
      fields[SECURITY_TOKEN] = this.sessionCredentials.securityToken;
    }
    // a request signed before (a retry goes out as the same command) is signed afresh
    for (const [key, value] of Object.entries(request.extFields ?? {})) {
      if (key !== ACCESS_KEY && key !== SECURITY_TOKEN && key !== SIGNATURE) fields[key] = value;
    }
    request.extFields = fields;
    fields[SIGNATURE] = requestSignature(request, this.sessionCredentials.secretKey);
    request.extFields = inJavaHashMapOrder(fields);
  }

  doAfterResponse(): void {}
}
