/** 64-bit big-endian integers as JS numbers (exact up to 2^53, which offsets and times never exceed). */
const TWO_32 = 4294967296;

export function writeLong(buf: Buffer, value: number, offset: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi | 0, offset);
  buf.writeUInt32BE(value - hi * TWO_32, offset + 4);
}

export function readLong(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** `writeLong` through a DataView: several times cheaper than Buffer's checked writes on hot paths. */
export function putLong(view: DataView, offset: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  view.setInt32(offset, hi);
  view.setUint32(offset + 4, value - hi * TWO_32);
}
