/** Client identity: the IP Java's ClientConfig picks, the client id and UNIQ_KEY message ids. */
import { randomBytes } from "node:crypto";
import { networkInterfaces } from "node:os";

/** First non-loopback IPv4 address (site-local preferred), else 127.0.0.1 — as RemotingUtil.getLocalAddress. */
export function localAddress(): string {
  const candidates: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      if (ni.family === "IPv4" && !ni.internal) candidates.push(ni.address);
    }
  }
  const siteLocal = candidates.find((a) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a));
  return siteLocal ?? candidates[0] ?? "127.0.0.1";
}

/** Java 4.9.8 replaces the DEFAULT instance name with `pid#nanoTime`, so each client gets its own instance. */
export function defaultInstanceName(): string {
  return `${process.pid}#${process.hrtime.bigint()}`;
}

/**
 * UNIQ_KEY generator (MessageClientIDSetter): 10 fixed bytes (IPv4 address, pid as short, a random
 * int standing in for Java's class-loader hash) + 4 bytes of milliseconds since the start of the
 * month + a 2-byte counter, upper-case hex.
 */
export class MessageClientIDSetter {
  private readonly fixed: string;
  private startTime = 0;
  private nextStartTime = 0;
  private counter = Math.floor(Math.random() * 0x10000);
  private readonly buf = Buffer.alloc(6);

  constructor(ip = localAddress()) {
    const b = Buffer.alloc(10);
    const parts = ip.split(".").map(Number);
    for (let i = 0; i < 4; i++) b[i] = parts[i] ?? 0;
    b.writeUInt16BE(process.pid & 0xffff, 4);
    randomBytes(4).copy(b, 6);
    this.fixed = b.toString("hex").toUpperCase();
  }

  createUniqID(now = Date.now()): string {
    if (now >= this.nextStartTime) {
      const d = new Date(now);
      this.startTime = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
      this.nextStartTime = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
    }
    this.buf.writeInt32BE((now - this.startTime) | 0, 0);
    this.counter = (this.counter + 1) & 0xffff;
    this.buf.writeUInt16BE(this.counter, 4);
    return this.fixed + this.buf.toString("hex").toUpperCase();
  }
}
