/**
 * The Java DLedger store fixture (../../../../shared/conformance/store/dledger): its decoded files,
 * a sparse unpack of one node's DLedger directory, and a member state for stores under test.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { DLedgerStoreMemberState } from "../../src/index.js";
import { unpackSparse } from "./sparseTar.js";

export const FIXTURE_DIR = "/work/shared/conformance/store/dledger";

export interface DecodedEntry {
  index: number;
  term: number;
  pos: number;
  size: number;
  magic: number;
  channel: number;
  chainCrc: number;
  bodyCrc: number;
  bodySize: number;
  message: {
    storeSize: number;
    queueId: number;
    queueOffset: number;
    physicalOffset: number;
    bornTimestamp: number;
    storeTimestamp: number;
    storeHost: string;
    topic: string;
    properties: Record<string, string>;
    body: string;
  };
}

export interface DecodedIndexUnit {
  unit: number;
  filePosition: number;
  magic: number;
  pos: number;
  size: number;
  index: number;
  term: number;
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

export function decodedEntries(): DecodedEntry[] {
  return readJsonl<DecodedEntry>(join(FIXTURE_DIR, "entries-decoded.jsonl"));
}

export function decodedIndexUnits(): DecodedIndexUnit[] {
  return readJsonl<DecodedIndexUnit>(join(FIXTURE_DIR, "decoded/dledger-index-decoded.jsonl"));
}

/** Unpack node `node`'s `store/dledger-<node>/` into a fresh temp dir; returns the dir of `store/`. */
export async function unpackJavaDLedgerStore(node: "n0" | "n1" | "n2"): Promise<{ root: string; storeDir: string }> {
  const root = mkdtempSync(join(tmpdir(), `dledger-java-${node}-`));
  await unpackSparse(join(FIXTURE_DIR, `${node}-store.tar.gz`), root, { prefix: `store/dledger-${node}/` });
  return { root, storeDir: join(root, "store") };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const silentLogger = pino({ level: "silent" });

/** A member state that tests set by hand. */
export class TestMemberState implements DLedgerStoreMemberState {
  ledgerEnd = { index: -1, term: -1 };
  transferee: string | null = null;
  constructor(
    public role: "leader" | "follower" | "candidate",
    public term: number,
    public leaderId: string | null = null,
  ) {}
  get currTerm(): number {
    return this.term;
  }
  isLeader(): boolean {
    return this.role === "leader";
  }
  isFollower(): boolean {
    return this.role === "follower";
  }
  updateLedgerIndexAndTerm(index: number, term: number): void {
    this.ledgerEnd = { index, term };
  }
}
