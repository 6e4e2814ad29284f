/** The captured Java DLedger group (../shared/conformance/wire/dledger-group/frames.jsonl.gz). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeFrame, type RemotingCommand } from "@rocketmq-ts/remoting";
import { WIRE_DIR } from "../../../../test/support/corpus.js";

export interface DLedgerFrame {
  conn: string;
  dir: "c2s" | "s2c";
  seq: number;
  ts: number;
  header: { code: number; opaque: number; flag: number };
  rpcType: "request" | "oneway" | "response";
  /** Present on DLedger requests (code >= 50000) and on their responses. */
  bodyJson?: Record<string, unknown>;
  bodyCodeName?: string;
  requestCode?: number;
  requestSeq?: number;
  frameBase64: string;
}

let cached: DLedgerFrame[] | null = null;

/** Every frame of the capture, in capture order (decompressed once per test file). */
export function dledgerGroupFrames(): DLedgerFrame[] {
  if (cached) return cached;
  const text = gunzipSync(readFileSync(join(WIRE_DIR, "dledger-group", "frames.jsonl.gz"))).toString("utf8");
  cached = text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as DLedgerFrame);
  return cached;
}

/** The DLedger frames only (requests with a DLedger code and their responses). */
export function dledgerFrames(): DLedgerFrame[] {
  return dledgerGroupFrames().filter((f) => f.bodyJson !== undefined);
}

export function commandOf(f: DLedgerFrame): RemotingCommand {
  return decodeFrame(Buffer.from(f.frameBase64, "base64"));
}

/** The DLedger request code a frame belongs to (its own code, or its request's for a response). */
export function dledgerCodeOf(f: DLedgerFrame): number {
  return f.rpcType === "response" ? (f.requestCode ?? -1) : f.header.code;
}
