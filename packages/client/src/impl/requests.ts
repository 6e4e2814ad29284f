/**
 * Request constructors for the client: extFields are laid out in Java's HashMap order (what
 * `makeCustomHeaderToNet` produces), so our frames match the Java client's byte for byte.
 */
import {
  createOnewayRequest as onewayRequest,
  createRequest as request,
  inJavaHashMapOrder,
  type CommandInit,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";

function ordered(init: CommandInit): CommandInit {
  return init.extFields ? { ...init, extFields: inJavaHashMapOrder(init.extFields) } : init;
}

export function createRequest(code: number, init: CommandInit = {}): RemotingCommand {
  return request(code, ordered(init));
}

export function createOnewayRequest(code: number, init: CommandInit = {}): RemotingCommand {
  return onewayRequest(code, ordered(init));
}
