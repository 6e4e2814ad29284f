/** Access to the captured Java RocketMQ traffic in ../shared/conformance/wire (see its INDEX.md). */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeFrame, encodeFrame } from "@rocketmq-ts/remoting";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const SHARED_DIR = process.env["ROCKETMQ_SHARED_DIR"] ?? resolve(repoRoot, "../shared");
export const WIRE_DIR = join(SHARED_DIR, "conformance", "wire");

export interface CapturedFrame {
  conn: string;
  dir: "c2s" | "s2c";
  seq: number;
  serializeType: "JSON" | "ROCKETMQ";
  header: {
    code: number;
    language?: string | null;
    version?: number;
    opaque?: number;
    flag?: number;
    remark?: string | null;
    extFields?: Record<string, unknown> | null;
  };
  bodyLength: number;
  bodyText?: string;
  bodyFormat?: "json" | "json-nonstrict" | "text" | "binary";
  rpcType: "request" | "oneway" | "response";
  /** The request code's Java name (RequestCode / ResponseCode constant), as the capture tool wrote it. */
  codeName?: string;
  truncated?: boolean;
  frameLength: number;
  frameBase64: string;
}

export interface Scenario {
  name: string;
  frames: CapturedFrame[];
}

/** Every scenario directory holding a frames.jsonl; fails loudly if the corpus is missing. */
export function loadScenarios(): Scenario[] {
  if (!existsSync(WIRE_DIR)) {
    throw new Error(`Conformance corpus not found at ${WIRE_DIR} (set ROCKETMQ_SHARED_DIR)`);
  }
  const out: Scenario[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry === "frames.jsonl") {
        const frames = readFileSync(path, "utf8")
          .split("\n")
          .filter((l) => l.trim().length > 0)
          .map((l) => JSON.parse(l) as CapturedFrame);
        out.push({ name: dir.slice(WIRE_DIR.length + 1), frames });
      }
    }
  };
  walk(WIRE_DIR);
  return out;
}

export function frameBytes(f: CapturedFrame): Buffer {
  return Buffer.from(f.frameBase64, "base64");
}

/** The captured frame re-encoded with some ext fields replaced (e.g. a born timestamp rebased on today). */
export function frameBytesWith(f: CapturedFrame, extFields: Record<string, string>): Buffer {
  const cmd = decodeFrame(frameBytes(f));
  cmd.extFields = { ...cmd.extFields, ...extFields };
  return encodeFrame(cmd);
}

/**
 * Captures carry the timestamps of the day they were taken. Anything the broker judges by age
 * (transaction checks skip halves born more than fileReservedTime hours ago, as Java's needSkip)
 * must see the replayed messages as just born, whatever today's date: this returns, per frame,
 * its born timestamp (ext field `field`, "g" in SendMessageRequestHeaderV2) moved so that the
 * newest of them is `now`, keeping their spacing.
 */
export function rebasedBornTimestamps(frames: CapturedFrame[], now: number, field = "g"): Map<CapturedFrame, string> {
  const born = (f: CapturedFrame) => Number((f.header.extFields as Record<string, string> | undefined)?.[field]);
  const stamped = frames.filter((f) => Number.isFinite(born(f)));
  const newest = Math.max(...stamped.map(born));
  return new Map(stamped.map((f) => [f, String(born(f) - newest + now)]));
}

/** Java peers emit fastjson headers: keys alphabetical, starting with "code". ali-ons does not. */
export function isFastjsonHeader(f: CapturedFrame): boolean {
  if (f.serializeType !== "JSON") return false;
  const keys = Object.keys(f.header);
  return keys[0] === "code" && keys.includes("serializeTypeCurrentRPC");
}
