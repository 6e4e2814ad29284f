/** Replays captured client→server frames against a live server over real TCP connections. */
import net from "node:net";
import { decodeFramePayload, FrameDecoder, type RemotingCommand } from "@rocketmq-ts/remoting";
import { frameBytes, type CapturedFrame } from "./corpus.js";

export interface ReplayedExchange {
  request: CapturedFrame;
  /** The captured answer (undefined for oneway requests). */
  captured?: CapturedFrame;
  /** Our server's answer, raw frame bytes included. */
  ours?: { cmd: RemotingCommand; bytes: Buffer };
}

class RawConnection {
  private readonly decoder = new FrameDecoder();
  private readonly waiting = new Map<number, (r: { cmd: RemotingCommand; bytes: Buffer }) => void>();
  constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const payload of this.decoder.push(chunk)) {
        const cmd = decodeFramePayload(payload);
        const len = Buffer.alloc(4);
        len.writeInt32BE(payload.length);
        this.waiting.get(cmd.opaque)?.({ cmd, bytes: Buffer.concat([len, payload]) });
        this.waiting.delete(cmd.opaque);
      }
    });
  }
  send(
    frame: Buffer,
    opaque: number,
    expectResponse: boolean,
    timeoutMs = 5000,
  ): Promise<{ cmd: RemotingCommand; bytes: Buffer } | undefined> {
    this.socket.write(frame);
    if (!expectResponse) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to opaque ${opaque}`)), timeoutMs);
      this.waiting.set(opaque, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }
}

/**
 * Send every captured c2s frame addressed to `serverPort` (captured port) to `target`, one TCP
 * connection per captured connection, in capture order, waiting for each two-way response.
 * Connections are closed where the capture has no more frames on them only at the end.
 */
export interface ReplayOptions {
  /** Replay only the requests this accepts. */
  only?: (f: CapturedFrame) => boolean;
  /** Time to wait for an answer (long-polled pulls are held up to their suspend time). */
  timeoutMs?: (f: CapturedFrame) => number;
}

export async function replay(
  frames: CapturedFrame[],
  serverPort: number,
  target: { host: string; port: number },
  options: ReplayOptions = {},
): Promise<ReplayedExchange[]> {
  const conns = new Map<string, RawConnection>();
  const exchanges: ReplayedExchange[] = [];
  const relevant = frames.filter((f) => f.conn.endsWith(`->${serverPort}`));
  try {
    for (const f of relevant) {
      if (f.dir !== "c2s" || f.rpcType === "response") continue;
      if (options.only && !options.only(f)) continue;
      let conn = conns.get(f.conn);
      if (!conn) {
        const socket = net.connect(target);
        await new Promise<void>((resolve, reject) => {
          socket.once("connect", resolve);
          socket.once("error", reject);
        });
        conn = new RawConnection(socket);
        conns.set(f.conn, conn);
      }
      const opaque = f.header.opaque as number;
      const captured = relevant.find(
        (r) => r.conn === f.conn && r.dir === "s2c" && r.rpcType === "response" && r.header.opaque === opaque,
      );
      const ours = await conn.send(frameBytes(f), opaque, f.rpcType === "request", options.timeoutMs?.(f) ?? 5000);
      exchanges.push({ request: f, ...(captured ? { captured } : {}), ...(ours ? { ours } : {}) });
    }
  } finally {
    for (const c of conns.values()) c.socket.destroy();
  }
  return exchanges;
}
