import type { RemotingCommand, RPCHook } from "@rocketmq-ts/remoting";
import { requestSignature } from "./AclSigner.js";
import { ACCESS_KEY, SECURITY_TOKEN, SIGNATURE, type SessionCredentials } from "./SessionCredentials.js";

/**
 * Java's AclClientRPCHook: before every request a client sends, adds `AccessKey` (and
 * `SecurityToken` when set) to its ext fields, then `Signature` over all of them and the body
 * (see {@link requestSignature}). Responses are not checked, as in Java.
 */
export class AclClientRPCHook implements RPCHook {
  constructor(readonly sessionCredentials: SessionCredentials) {}

  doBeforeRequest(_remoteAddr: string, request: RemotingCommand): void {
    const fields = (request.extFields ??= {});
    fields[ACCESS_KEY] = this.sessionCredentials.accessKey;
    if (this.sessionCredentials.securityToken !== undefined) {
      fields[SECURITY_TOKEN] = this.sessionCredentials.securityToken;
    }
    // a request signed before (a retry goes out as the same command) is signed afresh
    delete fields[SIGNATURE];
    fields[SIGNATURE] = requestSignature(request, this.sessionCredentials.secretKey);
  }

  doAfterResponse(): void {}
}
