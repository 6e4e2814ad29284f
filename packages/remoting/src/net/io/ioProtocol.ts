import type { ServerTls } from "../tls/TlsSettings.js";
import type { LargePayload } from "./RingEnds.js";

/**
 * What an I/O thread and the thread that owns its connections say to each other. Everything about a
 * connection travels as records on the two rings, so it stays in order; messages carry only the
 * start, the stop and payloads too big for a ring.
 */
export const IoRecord = {
  /** I/O → owner: accepted; payload `remote\nlocal`. */
  OPEN: 1,
  /** Both ways: one frame — to the owner without its length prefix, to the I/O thread with it. */
  FRAME: 2,
  /** I/O → owner: nothing read or written for the idle time. */
  IDLE: 3,
  /** I/O → owner: closed by the peer; payload the reason. */
  END: 4,
  /** I/O → owner: the socket failed; payload the error. */
  END_ERROR: 5,
  /** I/O → owner: bad length prefix, socket closed; payload the reason. */
  MALFORMED: 6,
  /**
   * I/O → owner: payload uint32 LE, bytes of frames handed to the socket while the peer kept up
   * (written, and the socket's buffer under the high-water mark). Sent per quarter of the mark and
   * when the socket drains; the owner stops handling a connection's requests while more than the
   * mark is unacknowledged.
   */
  ACK: 7,
  /** Owner → I/O: close the socket. */
  CLOSE: 8,
} as const;

export interface IoThreadData {
  port: number;
  host: string;
  backlog: number;
  maxFrameLength: number;
  idleTimeoutMs: number;
  writeHighWaterMark: number;
  corkFrames: number;
  /** TLS on the port: the thread decides each socket, does the handshakes and the encryption. */
  tls?: ServerTls;
  /** Rings: `inbound` is written by the I/O thread, `outbound` by the owner. */
  inbound: SharedArrayBuffer;
  outbound: SharedArrayBuffer;
}

export type ToIoThread = LargePayload | { kind: "stop" } | { kind: "tls"; tls: ServerTls };
export type FromIoThread =
  | LargePayload
  | { kind: "listening"; port: number }
  | { kind: "listenError"; message: string; code: string | undefined }
  | { kind: "stopped" }
  | { kind: "log"; level: "info" | "warn" | "error"; message: string; fields?: Record<string, unknown> };
