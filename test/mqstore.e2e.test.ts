/**
 * bin/mqstore verify as a process (packages/tools/dist/mqstore.js, so `npx tsc -b` first) against a
 * store our DefaultMessageStore writes in a temp dir and a Java-written one: exit codes 0 / 1 / 2,
 * the --json object, usage errors on stderr without stack traces, a closed stdout.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configDefaults, parseHost, RocketmqLogging } from "@rocketmq-ts/common";
import {
  DefaultMessageStore,
  messageStoreConfigSpec,
  offset2FileName,
  type StoreVerifyReport,
} from "@rocketmq-ts/store";
import { ROOT, runTool } from "./support/cluster.js";
import { unpackFixture } from "./support/storeFixtures.js";

const FILE_SIZE = 256 * 1024;
const host = parseHost("127.0.0.1:10911");
let root: string;
let logDir: string;
const offsets: number[] = [];

const mqstore = (...args: string[]): ReturnType<typeof runTool> => runTool("mqstore", args);

function patch(path: string, pos: number, bytes: Buffer): Buffer {
  const fd = openSync(path, "r+");
  try {
    const old = Buffer.alloc(bytes.length);
    readSync(fd, old, 0, old.length, pos);
    writeSync(fd, bytes, 0, bytes.length, pos);
    return old;
  } finally {
    closeSync(fd);
  }
}

/** Run `fn` with `bytes` at `pos` of `path`, then put the old bytes back. */
async function withPatch<T>(path: string, pos: number, bytes: Buffer, fn: () => Promise<T>): Promise<T> {
  const old = patch(path, pos, bytes);
  try {
    return await fn();
  } finally {
    patch(path, pos, old);
  }
}

function noStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "mqstore-e2e-"));
  logDir = mkdtempSync(join(tmpdir(), "mqstore-e2e-logs-"));
  const logger = new RocketmqLogging("tools", { logDir, level: "silent" }).root;
  const store = new DefaultMessageStore(
    {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: root,
      mappedFileSizeCommitLog: FILE_SIZE,
      mappedFileSizeConsumeQueue: 400,
      maxHashSlotNum: 32,
      maxIndexNum: 128,
    },
    { logger, storeHost: host },
  );
  store.load();
  store.start();
  for (let i = 0; i < 500; i++) {
    const r = await store.putMessage({
      topic: i % 4 === 0 ? "E2eOther" : "E2eTopic",
      queueId: i % 4,
      flag: 0,
      body: Buffer.alloc(900 + (i % 100), 97 + (i % 26)),
      propertiesString: `TAGS\u0001t${i % 3}\u0002KEYS\u0001k-${i}\u0002UNIQ_KEY\u0001E2E${i}`,
      sysFlag: 0,
      bornTimestamp: Date.now(),
      bornHost: host,
      storeHost: host,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    });
    expect(r.status).toBe("PUT_OK");
    offsets.push(r.appendResult?.wroteOffset ?? -1);
  }
  await store.shutdown();
}, 60_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(logDir, { recursive: true, force: true });
});

describe("bin/mqstore verify", () => {
  it("exits 0 with a summary for a consistent store", async () => {
    const r = await mqstore("verify", root);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Store: ${root}`);
    expect(r.stdout).toContain("Commit log: 500 records");
    expect(r.stdout).toMatch(/Consume queues: 4 queues of 2 topics, 500 entries checked/);
    expect(r.stdout).toMatch(/Index: \d+ files, 1000 entries checked \(maxHashSlotNum 32, maxIndexNum 128\)/);
    expect(r.stdout).toMatch(/Checkpoint: physicMsgTimestamp \d+/);
    expect(r.stdout).toMatch(/Result: CONSISTENT \(0 errors, 0 warnings\) in \d+ ms\n$/);
  });

  it("--json prints one JSON object", async () => {
    const r = await mqstore("verify", root, "--json", "--commitlog", join(root, "commitlog"));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as StoreVerifyReport;
    expect(report).toMatchObject({
      ok: true,
      records: 500,
      commitLogMinOffset: 0,
      consumeQueues: 4,
      cqEntries: 500,
      indexEntries: 1000,
      errors: [],
      warnings: [],
      errorCount: 0,
      warningCount: 0,
    });
    expect(report.commitLogMaxOffset).toBeGreaterThan(2 * FILE_SIZE);
    expect(report.checkpoint?.physicMsgTimestamp).toBeGreaterThan(0);
  });

  it("exits 1 and names the file and offset of a damaged record", async () => {
    const offset = offsets[321] as number;
    const file = offset2FileName(offset - (offset % FILE_SIZE));
    const path = join(root, "commitlog", file);
    await withPatch(path, (offset % FILE_SIZE) + 100, Buffer.from("XYZ"), async () => {
      const text = await mqstore("verify", root);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(`[crc-mismatch] commitlog/${file} @${offset % FILE_SIZE}: body CRC`);
      expect(text.stdout).toContain("Result: INCONSISTENT (1 error, 0 warnings)");
      const json = await mqstore("verify", root, "--json");
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as StoreVerifyReport;
      expect(report.ok).toBe(false);
      expect(report.errors).toEqual([
        expect.objectContaining({ kind: "crc-mismatch", file: `commitlog/${file}`, offset: offset % FILE_SIZE }),
      ]);
    });
  });

  it("exits 0 with a warning for a torn tail", async () => {
    const json = JSON.parse((await mqstore("verify", root, "--json")).stdout) as StoreVerifyReport;
    const end = json.commitLogMaxOffset;
    const path = join(root, "commitlog", offset2FileName(end - (end % FILE_SIZE)));
    await withPatch(path, end % FILE_SIZE, Buffer.alloc(37, 0x5a), async () => {
      const r = await mqstore("verify", root, "--json");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as StoreVerifyReport;
      expect(report.ok).toBe(true);
      expect(report.warnings).toEqual([expect.objectContaining({ kind: "torn-tail", offset: end % FILE_SIZE })]);
    });
  });

  it("caps the listed problems but counts them all", async () => {
    const cq = join(root, "consumequeue", "E2eTopic", "1", offset2FileName(0));
    // twenty entries pointing one byte past their record
    const fd = openSync(cq, "r+");
    const saved = Buffer.alloc(400);
    readSync(fd, saved, 0, 400, 0);
    const broken = Buffer.from(saved);
    for (let i = 0; i < 20; i++) broken.writeBigInt64BE(broken.readBigInt64BE(i * 20) + 1n, i * 20);
    writeSync(fd, broken, 0, 400, 0);
    closeSync(fd);
    try {
      const r = await mqstore("verify", root, "--json", "--max-problems", "5");
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as StoreVerifyReport;
      expect(report.errorCount).toBe(20);
      expect(report.errors).toHaveLength(5);
      expect(report.problemKinds).toEqual({ "cq-no-record": 20 });
      const text = await mqstore("verify", root, "--max-problems", "5");
      expect(text.stdout).toContain("Errors (20, first 5 shown):");
      expect(text.stdout).toContain("  ... and 15 more");
    } finally {
      patch(cq, 0, saved);
    }
  });

  it("a closed stdout ends quietly, with the verdict as exit code", async () => {
    const offset = offsets[10] as number;
    const path = join(root, "commitlog", offset2FileName(0));
    const run = (): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(join(ROOT, "bin", "mqstore"), ["verify", root, "--json"]);
        child.stdout.destroy(); // the reader is gone before anything is written
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("exit", (code) => resolve({ code, stderr }));
      });
    expect(await run()).toEqual({ code: 0, stderr: "" });
    await withPatch(path, offset + 200, Buffer.from("!"), async () => {
      expect(await run()).toEqual({ code: 1, stderr: "" });
    });
  });

  it("verifies a store written by Java RocketMQ 4.9.8", async () => {
    const { dir, cleanup } = unpackFixture("basic");
    try {
      const r = await mqstore("verify", join(dir, "store"), "--json");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, records: 1095, commitLogMaxOffset: 3279580 });
    } finally {
      cleanup();
    }
  });
});

describe("bin/mqstore usage", () => {
  it("prints usage for --help (exit 0) and without arguments (exit 2, on stderr)", async () => {
    const help = await mqstore("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: mqstore <command>/);
    const none = await mqstore();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/^usage: mqstore <command>/);
    const verifyHelp = await mqstore("verify", "--help");
    expect(verifyHelp.code).toBe(0);
    expect(verifyHelp.stdout).toContain("Usage: mqstore verify [options] <storePathRootDir>");
  });

  it.each([
    [["verify", "/no/such/store"], /^mqstore: store directory not found: \/no\/such\/store\n$/],
    [["verify"], /^mqstore: error: missing required argument 'storePathRootDir'/],
    [["verify", "/tmp", "--bogus"], /^mqstore: error: unknown option '--bogus'/],
    [["verify", "/tmp", "--max-problems", "many"], /argument 'many' is invalid/],
    [["check", "/tmp"], /^mqstore: unknown command 'check'/],
  ])("%j exits 2 with a message on stderr", async (args, message) => {
    const r = await mqstore(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    noStackTrace(r.stderr);
  });

  it("a --commitlog that does not exist, or a directory that is no store, exits 2", async () => {
    const missing = await mqstore("verify", root, "--commitlog", join(root, "nope"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`mqstore: commit-log directory not found: ${join(root, "nope")}\n`);
    const empty = mkdtempSync(join(tmpdir(), "mqstore-empty-"));
    try {
      const r = await mqstore("verify", empty);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("does not look like a store root");
      noStackTrace(r.stderr);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
