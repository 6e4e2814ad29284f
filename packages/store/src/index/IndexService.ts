/** Builds and queries the `index/` files: keys `<topic>#<UNIQ_KEY>` and `<topic>#<each KEYS word>`. */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { MessageSysFlag, transactionType } from "@rocketmq-ts/common";
import { MessageConst } from "@rocketmq-ts/common";
import { IndexFile, topicKeyHash } from "./IndexFile.js";

export interface IndexDispatchRequest {
  topic: string;
  commitLogOffset: number;
  storeTimestamp: number;
  sysFlag: number;
  uniqKey: string | undefined;
  keys: string | undefined;
}

/** Local-time `yyyyMMddHHmmssSSS`, as Java names index files. */
export function timeMillisToHumanString(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
}

export class IndexService {
  readonly indexFiles: IndexFile[] = [];
  private readonly storePath: string;

  constructor(
    storeRoot: string,
    private readonly hashSlotNum: number,
    private readonly indexNum: number,
    private readonly logger: Logger,
    /** Called with a full file's endTimestamp once it has been flushed (checkpoint's indexMsgTimestamp). */
    private readonly onFileFull: (endTimestamp: number) => void = () => undefined,
  ) {
    this.storePath = join(storeRoot, "index");
  }

  /** Load index files; after an abnormal exit, drop those newer than the checkpoint. */
  load(lastExitOK: boolean, indexMsgTimestamp: number): void {
    if (!existsSync(this.storePath)) return;
    for (const name of readdirSync(this.storePath).sort()) {
      if (!/^\d+$/.test(name)) {
        this.logger.error({ name }, "load index file: name is not a number, skipped");
        continue;
      }
      const f = new IndexFile(join(this.storePath, name), this.hashSlotNum, this.indexNum);
      f.load();
      if (!lastExitOK && f.endTimestamp > indexMsgTimestamp) {
        f.destroy();
        continue;
      }
      this.indexFiles.push(f);
    }
  }

  private lastFile(): IndexFile {
    let last = this.indexFiles[this.indexFiles.length - 1];
    if (last && !last.isWriteFull()) return last;
    mkdirSync(this.storePath, { recursive: true });
    const previous = last ? { endPhyOffset: last.endPhyOffset, endTimestamp: last.endTimestamp } : undefined;
    let name = timeMillisToHumanString(Date.now());
    // never reuse a name within the same millisecond; 17 digits are beyond a double's exact integers
    // (Number(name) + 1 can give the same name back): count in BigInt
    while (this.indexFiles.some((f) => f.fileName.endsWith(name))) name = (BigInt(name) + 1n).toString();
    const created = new IndexFile(join(this.storePath, name), this.hashSlotNum, this.indexNum, previous);
    this.indexFiles.push(created);
    if (last) {
      const full = last;
      void full.flush().then(
        () => this.onFileFull(full.endTimestamp),
        (err: Error) => this.logger.error({ err: err.message }, "flush full index file failed"),
      );
    }
    last = created;
    return last;
  }

  /**
   * Index the message's UNIQ_KEY and each of its KEYS. The pages all of them store into get their
   * blocks first (IndexFile.reserve), so a full disk throws ENOSPC with none of them indexed and the
   * reput can index the message again later without duplicates.
   */
  buildIndex(req: IndexDispatchRequest): void {
    if (transactionType(req.sysFlag) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) return;
    const file = this.lastFile();
    if (req.commitLogOffset < file.endPhyOffset) return; // already indexed
    const hashes: number[] = [];
    if (req.uniqKey) hashes.push(topicKeyHash(req.topic, req.uniqKey));
    const keys = req.keys;
    if (keys) {
      if (!keys.includes(MessageConst.KEY_SEPARATOR)) hashes.push(topicKeyHash(req.topic, keys));
      else
        for (const key of keys.split(MessageConst.KEY_SEPARATOR))
          if (key.length > 0) hashes.push(topicKeyHash(req.topic, key));
    }
    if (hashes.length === 0) return;
    file.reserve(hashes);
    for (const keyHash of hashes) this.put(file, keyHash, req);
  }

  /** Index one key hash of `<topic>#<key>`; a full file hands over to a new one. */
  private put(file: IndexFile, keyHash: number, req: IndexDispatchRequest): void {
    if (file.putKey(keyHash, req.commitLogOffset, req.storeTimestamp)) return;
    this.lastFile().putKey(keyHash, req.commitLogOffset, req.storeTimestamp);
  }

  /** Newest files first; stops at maxNum or at a file older than `begin`. */
  queryOffset(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): { phyOffsets: number[]; indexLastUpdateTimestamp: number; indexLastUpdatePhyoffset: number } {
    const phyOffsets: number[] = [];
    let indexLastUpdateTimestamp = 0;
    let indexLastUpdatePhyoffset = 0;
    for (let i = this.indexFiles.length - 1; i >= 0; i--) {
      const f = this.indexFiles[i] as IndexFile;
      if (i === this.indexFiles.length - 1) {
        indexLastUpdateTimestamp = f.endTimestamp;
        indexLastUpdatePhyoffset = f.endPhyOffset;
      }
      if (f.isTimeMatched(begin, end)) f.selectPhyOffset(phyOffsets, `${topic}#${key}`, maxNum, begin, end);
      if (f.beginTimestamp < begin || phyOffsets.length >= maxNum) break;
    }
    return { phyOffsets, indexLastUpdateTimestamp, indexLastUpdatePhyoffset };
  }

  /** Delete files (never the last) whose entries all point below the commit log's minimum. */
  deleteExpiredFile(minPhyOffset: number): void {
    const victims = this.indexFiles.slice(0, -1).filter((f) => f.endPhyOffset < minPhyOffset);
    for (const f of victims) f.destroy();
    const gone = new Set(victims);
    const kept = this.indexFiles.filter((f) => !gone.has(f));
    this.indexFiles.splice(0, this.indexFiles.length, ...kept);
  }

  async flushAll(): Promise<void> {
    for (const f of this.indexFiles) await f.flush();
  }

  shutdown(): void {
    for (const f of this.indexFiles) f.mappedFile.shutdown();
  }

  destroy(): void {
    for (const f of this.indexFiles) f.destroy();
    this.indexFiles.length = 0;
  }
}
