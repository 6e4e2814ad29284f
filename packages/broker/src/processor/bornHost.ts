/** The producer's address as stored in BORNHOST, parsed once per connection instead of per message. */
import { parseHost, type HostAddress } from "@rocketmq-ts/common";
import type { Connection } from "@rocketmq-ts/remoting";

const byConnection = new WeakMap<Connection, HostAddress>();

export function bornHostOf(connection: Connection): HostAddress {
  let host = byConnection.get(connection);
  if (!host) {
    host = parseHost(connection.remoteAddr);
    byConnection.set(connection, host);
  }
  return host;
}
