/**
 * The hooks a client runs before each request: the caller's own `rpcHook`, then, with
 * `sessionCredentials`, Java's AclClientRPCHook signing the request for a broker with plain ACL
 * (last, so that whatever the caller's hook adds is signed too).
 */
import { AclClientRPCHook, type SessionCredentials } from "@rocketmq-ts/acl";
import type { RPCHook } from "@rocketmq-ts/remoting";
import { MQClientException } from "../MQClientException.js";

export type { SessionCredentials };

export interface RPCHookOptions {
  rpcHook?: RPCHook | undefined;
  /** Sign every request with this access key / secret key (and security token), as Java's AclClientRPCHook. */
  sessionCredentials?: SessionCredentials | undefined;
}

/** The hooks to register, in order; refuses credentials without an access key or a secret key. */
export function rpcHooksOf(options: RPCHookOptions): RPCHook[] {
  const hooks: RPCHook[] = [];
  if (options.rpcHook) hooks.push(options.rpcHook);
  const credentials = options.sessionCredentials;
  if (credentials) {
    if (!credentials.accessKey || !credentials.secretKey) {
      throw new MQClientException(-1, "sessionCredentials need both an accessKey and a secretKey");
    }
    hooks.push(new AclClientRPCHook(credentials));
  }
  return hooks;
}
