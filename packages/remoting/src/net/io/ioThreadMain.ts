/**
 * Entry of an I/O thread (a `worker_thread`): owns the listening socket and every accepted socket —
 * reads, frame splitting, corked writes, back-pressure, idle timeouts — and exchanges frames with the
 * thread that owns the connections through two {@link FrameRing}s. Nothing here decodes a header:
 * requests are handled where the broker's state lives.
 */
import net from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { TlsAcceptor } from "../tls/TlsAcceptor.js";
import type { TlsLogger } from "../tls/TlsSettings.js";
import { READ_BLOCKED_BY_CONSUMER, SocketTransport } from "../transport/SocketTransport.js";
import { FrameRing } from "./FrameRing.js";
import { IoRecord, type FromIoThread, type IoThreadData, type ToIoThread } from "./ioProtocol.js";
import { RingReader, RingWriter } from "./RingEnds.js";

const port = parentPort;
if (!port) throw new Error("ioThreadMain.js runs as a worker_thread");
const data = workerData as IoThreadData;
const post = (message: FromIoThread, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

interface Accepted {
  transport: SocketTransport;
  /** Bytes written to the socket and not yet acknowledged to the owner. */
  unacked: number;
}
const sockets = new Map<number, Accepted>();
let nextId = 0;
let blocked = false;
const EMPTY: Uint8Array[] = [];

const toOwner = new RingWriter(
  new FrameRing(data.inbound),
  (message) => post(message, [message.bytes]),
  (isBlocked) => {
    // The owner is behind: stop reading every socket until it catches up.
    blocked = isBlocked;
    for (const { transport } of sockets.values()) {
      if (isBlocked) transport.blockReading(READ_BLOCKED_BY_CONSUMER);
      else transport.unblockReading(READ_BLOCKED_BY_CONSUMER);
    }
  },
);

function record(type: number, id: number, text = ""): void {
  const bytes = Buffer.from(text, "utf8");
  toOwner.write(type, id, text ? [bytes] : EMPTY, bytes.length);
}

const ackEvery = Math.max(1, data.writeHighWaterMark >>> 2);

/** Acknowledge what the socket took, once the peer keeps up with it. */
function acknowledge(id: number, accepted: Accepted): void {
  if (accepted.unacked === 0 || !accepted.transport.isWritable) return;
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32LE(accepted.unacked, 0);
  accepted.unacked = 0;
  toOwner.write(IoRecord.ACK, id, [bytes], 4);
}

function accept(socket: net.Socket): void {
  const transport = new SocketTransport(socket, data);
  if (!transport.remoteAddr) {
    transport.destroy(); // the peer left between accept and now
    return;
  }
  const id = ++nextId >>> 0;
  const accepted: Accepted = { transport, unacked: 0 };
  sockets.set(id, accepted);
  record(IoRecord.OPEN, id, `${transport.remoteAddr}\n${transport.localAddr}`);
  if (blocked) transport.blockReading(READ_BLOCKED_BY_CONSUMER);
  transport.onWritable = () => acknowledge(id, accepted);
  transport.start({
    frame: (payload) => toOwner.write(IoRecord.FRAME, id, [payload], payload.length),
    idle: () => record(IoRecord.IDLE, id),
    malformed: (reason) => {
      sockets.delete(id);
      record(IoRecord.MALFORMED, id, reason);
    },
    end: (reason, error) => {
      sockets.delete(id);
      if (error !== undefined) record(IoRecord.END_ERROR, id, error);
      else record(IoRecord.END, id, reason);
    },
  });
}

const fromOwner = new RingReader(new FrameRing(data.outbound), (type, id, payload) => {
  const accepted = sockets.get(id);
  if (!accepted) return; // closed on this side already; the owner hears (or heard) END
  if (type === IoRecord.FRAME) {
    // The ring's bytes are reused once this returns; the socket may hold the frame longer.
    const frame = Buffer.allocUnsafe(payload.length);
    payload.copy(frame);
    accepted.transport.writeFrame([frame]);
    accepted.unacked += frame.length;
    if (accepted.unacked >= ackEvery) acknowledge(id, accepted);
  } else if (type === IoRecord.CLOSE) {
    sockets.delete(id);
    accepted.transport.destroy();
  }
});

/** TLS log lines go to the owner's logger. */
const tlsLog: TlsLogger = {
  info: (fields, message) => post({ kind: "log", level: "info", message, fields: { ...fields } }),
  warn: (fields, message) => post({ kind: "log", level: "warn", message, fields: { ...fields } }),
  error: (fields, message) => post({ kind: "log", level: "error", message, fields: { ...fields } }),
};
const tlsAcceptor = data.tls
  ? new TlsAcceptor({ tls: data.tls, idleTimeoutMs: data.idleTimeoutMs, log: tlsLog, onConnection: accept })
  : null;

const server = net.createServer((socket) => (tlsAcceptor ? tlsAcceptor.accept(socket) : accept(socket)));
server.on("error", (err: NodeJS.ErrnoException) => {
  if (!server.listening) post({ kind: "listenError", message: err.message, code: err.code });
  else post({ kind: "log", level: "error", message: `server socket error: ${err.message}` });
});
server.listen({ port: data.port, host: data.host, backlog: data.backlog }, () => {
  const address = server.address();
  post({ kind: "listening", port: typeof address === "object" && address ? address.port : data.port });
  fromOwner.start();
});

port.on("message", (message: ToIoThread) => {
  if (message.kind === "large") fromOwner.deliverLarge(message);
  else if (message.kind === "tls") tlsAcceptor?.update(message.tls);
  else if (message.kind === "stop") {
    fromOwner.stop();
    tlsAcceptor?.close();
    for (const { transport } of sockets.values()) transport.destroy();
    sockets.clear();
    server.close(() => post({ kind: "stopped" }));
  }
});
