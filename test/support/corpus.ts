/** Access to the captured Java RocketMQ traffic in ../shared/conformance/wire (see its INDEX.md). */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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

/** Java peers emit fastjson headers: keys alphabetical, starting with "code". ali-ons does not. */
export function isFastjsonHeader(f: CapturedFrame): boolean {
  if (f.serializeType !== "JSON") return false;
  const keys = Object.keys(f.header);
  return keys[0] === "code" && keys.includes("serializeTypeCurrentRPC");
}
