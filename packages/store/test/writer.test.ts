/**
 * Our writer against Java's: replay every record of the Java `basic` store through our put path
 * (same order, same store times, batches kept together) and compare the files byte for byte.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { configDefaults, checkRecord, parseHost, type MessageExt } from "@rocketmq-ts/common";
import { DefaultMessageStore, messageStoreConfigSpec } from "@rocketmq-ts/store";
import { decodedRecords, STORE_FIXTURES, unpackFixture } from "../../../test/support/storeFixtures.js";

const java = unpackFixture("basic");
const ours = mkdtempSync(join(tmpdir(), "store-writer-"));
afterAll(() => {
  java.cleanup();
  rmSync(ours, { recursive: true, force: true });
});

const FILE_SIZE = 1048576;
const records = decodedRecords(join(STORE_FIXTURES, "messages-decoded.jsonl")).filter((r) => r.kind === "MESSAGE");

function javaRecord(file: string, pos: number): MessageExt {
  const buf = readFileSync(join(java.dir, "store", "commitlog", file));
  const check = checkRecord(buf, pos, FILE_SIZE, false);
  if (check.kind !== "message") throw new Error(`no record at ${file}:${pos}`);
  // detach from the file buffer
  return { ...check.msg, body: check.msg.body ? Buffer.from(check.msg.body) : null };
}

function listFiles(root: string, sub: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(join(root, sub), "");
  return out.sort();
}

describe("our writer reproduces the Java broker's files", () => {
  it("writes the same commit log, consume queues and index entries for the same input", async () => {
    // group batch items so they are appended together, as Java did: a batch's records share topic,
    // queue, born and store time and born host, with consecutive queue offsets
    const groups: MessageExt[][] = [];
    for (const r of records) {
      const msg = javaRecord(r.file, r.filePosition);
      const previous = groups[groups.length - 1];
      const last = previous?.[previous.length - 1];
      const sameBatch =
        last !== undefined &&
        last.topic === msg.topic &&
        last.queueId === msg.queueId &&
        last.bornTimestamp === msg.bornTimestamp &&
        last.storeTimestamp === msg.storeTimestamp &&
        last.bornHost.address.equals(msg.bornHost.address) &&
        last.bornHost.port === msg.bornHost.port &&
        last.queueOffset + 1 === msg.queueOffset;
      if (sameBatch && previous) previous.push(msg);
      else groups.push([msg]);
    }
    expect(groups.some((g) => g.length === 6)).toBe(true); // the engineered 6-item batch
    let now = 0;
    const store = new DefaultMessageStore(
      {
        ...configDefaults(messageStoreConfigSpec()),
        storePathRootDir: ours,
        mappedFileSizeCommitLog: FILE_SIZE,
        mappedFileSizeConsumeQueue: 2000,
        maxHashSlotNum: 50,
        maxIndexNum: 500,
      },
      { logger: pino({ level: "silent" }), storeHost: parseHost("127.0.0.1:40911"), clock: () => now },
    );
    store.load();
    store.start();
    for (const group of groups) {
      now = (group[0] as MessageExt).storeTimestamp;
      const res = await store.putMessages(group);
      expect(res.status).toBe("PUT_OK");
      expect(res.appendResult?.wroteOffset).toBe((group[0] as MessageExt).commitLogOffset);
    }
    await store.shutdown();

    const javaRoot = join(java.dir, "store");
    // commit log: same file names, same bytes
    const commitLogFiles = listFiles(javaRoot, "commitlog");
    expect(listFiles(ours, "commitlog")).toEqual(commitLogFiles);
    for (const f of commitLogFiles) {
      expect(readFileSync(join(ours, "commitlog", f)).equals(readFileSync(join(javaRoot, "commitlog", f))), f).toBe(
        true,
      );
    }
    // consume queues: same files, same bytes
    const cqFiles = listFiles(javaRoot, "consumequeue");
    expect(listFiles(ours, "consumequeue")).toEqual(cqFiles);
    for (const f of cqFiles) {
      expect(
        readFileSync(join(ours, "consumequeue", f)).equals(readFileSync(join(javaRoot, "consumequeue", f))),
        f,
      ).toBe(true);
    }
    // index: names are creation times, contents must match file by file
    const javaIndex = listFiles(javaRoot, "index");
    const ourIndex = listFiles(ours, "index");
    expect(ourIndex.length).toBe(javaIndex.length);
    javaIndex.forEach((f, i) => {
      expect(
        readFileSync(join(ours, "index", ourIndex[i] as string)).equals(readFileSync(join(javaRoot, "index", f))),
        f,
      ).toBe(true);
    });
  });
});
