/**
 * Unpack a .tar.gz into a directory writing files sparsely: each file is sized with ftruncate and
 * only its non-zero 4 KiB blocks are written, so the Java DLedger stores (1.69 GB unpacked, almost
 * all zeros) take a few MB of disk and about a second. Handles ustar / GNU headers (prefix field,
 * `L` long names, base-256 sizes); regular files and directories only.
 */
import { closeSync, createReadStream, ftruncateSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { createGunzip } from "node:zlib";

const BLOCK = 512;
const SPARSE_BLOCK = 4096;
const ZEROS = Buffer.alloc(SPARSE_BLOCK);

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end === -1 ? field.length : end);
}

function tarSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0]! & 0x80) !== 0) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = cString(header, 124, 12).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function isZeroBlock(buf: Buffer, start: number, end: number): boolean {
  return ZEROS.compare(buf, start, end, 0, end - start) === 0;
}

interface FileTarget {
  fd: number;
  offset: number;
}

export interface UnpackOptions {
  /** Unpack only entries whose path starts with this; stop reading once they are behind. */
  prefix?: string;
}

/** Unpack `archive` into `dest`; resolves with the paths (relative, as in the archive) written. */
export async function unpackSparse(archive: string, dest: string, options: UnpackOptions = {}): Promise<string[]> {
  const written: string[] = [];
  const wanted = (name: string): boolean => options.prefix === undefined || name.startsWith(options.prefix);
  let header = Buffer.alloc(0);
  let remaining = 0; // data bytes of the current entry still to come
  let padding = 0; // padding bytes after it
  let target: FileTarget | null = null;
  let longName: Buffer | null = null;
  let collectingLongName: Buffer[] | null = null;
  let seenWanted = false;
  let done = false;

  const writeData = (chunk: Buffer, start: number, end: number): void => {
    if (collectingLongName) collectingLongName.push(Buffer.from(chunk.subarray(start, end)));
    if (!target) return;
    let pos = start;
    while (pos < end) {
      const blockEnd = Math.min(end, pos + (SPARSE_BLOCK - (target.offset % SPARSE_BLOCK)));
      if (!isZeroBlock(chunk, pos, blockEnd)) writeSync(target.fd, chunk, pos, blockEnd - pos, target.offset);
      target.offset += blockEnd - pos;
      pos = blockEnd;
    }
  };

  const endEntry = (): void => {
    if (target) closeSync(target.fd);
    target = null;
    if (collectingLongName) {
      longName = Buffer.concat(collectingLongName);
      collectingLongName = null;
    }
  };

  const startEntry = (h: Buffer): void => {
    const size = tarSize(h);
    const type = String.fromCharCode(h[156]!);
    let name = cString(h, 0, 100);
    const prefix = h.toString("latin1", 257, 262) === "ustar" ? cString(h, 345, 155) : "";
    if (prefix !== "") name = `${prefix}/${name}`;
    if (longName) {
      name = cString(longName, 0, longName.length);
      longName = null;
    }
    remaining = size;
    padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === "L") {
      collectingLongName = [];
      return;
    }
    if (!wanted(name)) {
      if (seenWanted) done = true;
      return;
    }
    seenWanted = true;
    const path = join(dest, name);
    if (type === "5") {
      mkdirSync(path, { recursive: true });
    } else if (type === "0" || type === "\0") {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, "w");
      ftruncateSync(fd, size);
      target = { fd, offset: 0 };
      written.push(name);
    }
  };

  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const input = createReadStream(archive);
  try {
    for await (const raw of input.pipe(gunzip)) {
      const chunk = raw as Buffer;
      let pos = 0;
      while (pos < chunk.length && !done) {
        if (remaining > 0) {
          const n = Math.min(remaining, chunk.length - pos);
          writeData(chunk, pos, pos + n);
          pos += n;
          remaining -= n;
          if (remaining === 0) endEntry();
          continue;
        }
        if (padding > 0) {
          const n = Math.min(padding, chunk.length - pos);
          pos += n;
          padding -= n;
          continue;
        }
        const need = BLOCK - header.length;
        header = Buffer.concat([header, chunk.subarray(pos, pos + need)]);
        pos += Math.min(need, chunk.length - pos);
        if (header.length < BLOCK) continue;
        const h = header;
        header = Buffer.alloc(0);
        if (h.every((b) => b === 0)) continue; // end-of-archive blocks
        startEntry(h);
        if (remaining === 0) endEntry();
      }
      if (done) break;
    }
  } finally {
    endEntry();
    input.destroy();
    gunzip.destroy();
  }
  return written;
}
