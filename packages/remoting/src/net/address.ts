import type { Socket } from "node:net";

/** `ip:port` as Java's RemotingHelper prints a peer (IPv4-mapped IPv6 shown as plain IPv4). */
export function socketRemoteAddr(socket: Socket): string {
  return formatAddr(socket.remoteAddress, socket.remotePort);
}

export function socketLocalAddr(socket: Socket): string {
  return formatAddr(socket.localAddress, socket.localPort);
}

function formatAddr(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return "";
  const h = host.startsWith("::ffff:") ? host.slice(7) : host;
  return `${h}:${port ?? 0}`;
}

/** Split `host:port` (last colon, so bracket-less IPv6 hosts work). */
export function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  const host = (i < 0 ? addr : addr.slice(0, i)).replace(/^\[|\]$/g, "");
  const port = i < 0 ? NaN : Number(addr.slice(i + 1));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`Illegal address: ${addr}`);
  return { host, port };
}
