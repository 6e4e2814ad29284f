/**
 * The default (4.9.8) HA protocol on the HA port, store-ha-config.md §8.2/8.3 — raw TCP, no remoting framing:
 * slave → master: one 8-byte big-endian long, the slave's commit-log max offset;
 * master → slave: 8-byte physical offset + 4-byte size + that many commit-log bytes (size 0 = heartbeat).
 * Pure codecs; the sockets live in HAConnection and HAClient.
 */

export const SLAVE_REPORT_SIZE = 8;
export const TRANSFER_HEADER_SIZE = 12;

/** An offset as the 8-byte report a slave sends. */
export function encodeSlaveReport(offset: number): Buffer {
  const buf = Buffer.allocUnsafe(SLAVE_REPORT_SIZE);
  buf.writeBigInt64BE(BigInt(offset));
  return buf;
}

/** The 12-byte header in front of `size` commit-log bytes starting at `offset`. */
export function encodeTransferHeader(offset: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(TRANSFER_HEADER_SIZE);
  buf.writeBigInt64BE(BigInt(offset));
  buf.writeInt32BE(size, 8);
  return buf;
}

/**
 * Master side: reports arrive as a stream of 8-byte values; only the newest complete one matters
 * (Java reads whatever is buffered and takes the last aligned long).
 */
export class SlaveReportReader {
  private pending = Buffer.alloc(0);

  /** Feed bytes; returns the last complete report in them, or null if none completed. */
  push(chunk: Buffer): number | null {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const complete = data.length - (data.length % SLAVE_REPORT_SIZE);
    this.pending = Buffer.from(data.subarray(complete));
    if (complete === 0) return null;
    return Number(data.readBigInt64BE(complete - SLAVE_REPORT_SIZE));
  }
}

export interface TransferFrame {
  /** Physical offset of the first body byte (for a heartbeat: the master's next transfer position). */
  offset: number;
  body: Buffer;
}

/** Slave side: cut the master's byte stream into frames, however TCP split it. */
export class TransferFrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxBodySize = 64 * 1024 * 1024) {}

  /** Feed bytes; returns the frames completed by them. Throws on a size no master would send. */
  push(chunk: Buffer): TransferFrame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: TransferFrame[] = [];
    let data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    let pos = 0;
    while (data.length - pos >= TRANSFER_HEADER_SIZE) {
      const size = data.readInt32BE(pos + 8);
      if (size < 0 || size > this.maxBodySize) throw new Error(`illegal HA transfer body size ${size}`);
      if (data.length - pos < TRANSFER_HEADER_SIZE + size) break;
      const offset = Number(data.readBigInt64BE(pos));
      const start = pos + TRANSFER_HEADER_SIZE;
      frames.push({ offset, body: data.subarray(start, start + size) });
      pos = start + size;
    }
    data = data.subarray(pos);
    this.chunks = data.length > 0 ? [data] : [];
    this.buffered = data.length;
    return frames;
  }
}
