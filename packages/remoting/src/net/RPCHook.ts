import type { RemotingCommand } from "../protocol/RemotingCommand.js";

/** Called around every request a RemotingServer processes or a RemotingClient sends (ACL plugs in here). */
export interface RPCHook {
  doBeforeRequest(remoteAddr: string, request: RemotingCommand): void;
  doAfterResponse(remoteAddr: string, request: RemotingCommand, response: RemotingCommand | null): void;
}
