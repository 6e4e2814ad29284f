import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { innerMessage } from "./support/messages.js";
import { pino } from "pino";
import { configDefaults, parseHost } from "@rocketmq-ts/common";
import { DefaultMessageStore, messageStoreConfigSpec, type MessageStoreConfig } from "@rocketmq-ts/store";
import { manifest, unpackFixture } from "../../../test/support/storeFixtures.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const logger = pino({ level: "silent" });
const host = parseHost("127.0.0.1:40911");

function config(root: string, overrides: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return {
    ...configDefaults(messageStoreConfigSpec()),
    storePathRootDir: root,
    mappedFileSizeCommitLog: 1048576,
    mappedFileSizeConsumeQueue: 2000,
    maxHashSlotNum: 50,
    maxIndexNum: 500,
    ...overrides,
  };
}

describe("abnormal recovery of the Java crash fixture", () => {
  it("recovers to exactly what Java's own recovery produced", async () => {
    const crashed = unpackFixture("crash");
    const javaRecovered = unpackFixture("crash", "store-after-java-recovery.tar.gz");
    cleanups.push(crashed.cleanup, javaRecovered.cleanup);
    const root = join(crashed.dir, "store");
    expect(existsSync(join(root, "abort"))).toBe(true);
    expect(existsSync(join(root, "commitlog", "00000000000003145728"))).toBe(true);

    const ours = new DefaultMessageStore(config(root), { logger, storeHost: host });
    ours.load();
    ours.start();
    const java = new DefaultMessageStore(config(join(javaRecovered.dir, "store")), { logger, storeHost: host });
    java.load();
    java.start();
    cleanups.push(() => java.shutdown());

    expect(ours.getMaxPhyOffset()).toBe(2679948);
    expect(java.getMaxPhyOffset()).toBe(2679948);
    expect(existsSync(join(root, "commitlog", "00000000000003145728"))).toBe(false); // pre-allocated file dropped
    expect(existsSync(join(root, "index", "20261123011221904"))).toBe(false); // newer than the checkpoint

    // every consume queue identical to Java's recovered one
    let queues = 0;
    for (const cq of java.allConsumeQueues()) {
      const mine = ours.findConsumeQueue(cq.topic, cq.queueId);
      expect([mine.getMinOffsetInQueue(), mine.getMaxOffsetInQueue()], `${cq.topic}/${cq.queueId}`).toEqual([
        cq.getMinOffsetInQueue(),
        cq.getMaxOffsetInQueue(),
      ]);
      for (let i = cq.getMinOffsetInQueue(); i < cq.getMaxOffsetInQueue(); i++)
        expect(mine.getEntry(i)).toEqual(cq.getEntry(i));
      queues++;
    }
    expect(queues).toBeGreaterThan(5);

    // every acknowledged send is readable, by offset and by key through the rebuilt index
    const sent = (
      manifest("crash")["sent"] as {
        label: string;
        reread?: { commitLogOffset: number };
        request: { keys?: string; topic: string };
      }[]
    ).filter((s) => s.reread);
    expect(sent.length).toBe(952);
    for (const s of sent)
      expect(ours.lookMessageByOffset(s.reread?.commitLogOffset as number)?.properties.get("label"), s.label).toBe(
        s.label,
      );
    const lastLoad = sent.filter((s) => s.label.startsWith("load-")).slice(-5);
    for (const s of lastLoad) {
      const uniq = ours.lookMessageByOffset(s.reread?.commitLogOffset as number)?.properties.get("UNIQ_KEY") as string;
      const hits = ours.queryMessage(s.request.topic, uniq, 64, 0, Number.MAX_SAFE_INTEGER).messages;
      expect(hits.map((m) => m.commitLogOffset)).toContain(s.reread?.commitLogOffset);
    }

    await ours.shutdown();
    expect(existsSync(join(root, "abort"))).toBe(false);
    // commit-log bytes untouched by recovery
    for (const name of readdirSync(join(root, "commitlog"))) {
      expect(
        readFileSync(join(root, "commitlog", name)).equals(
          readFileSync(join(javaRecovered.dir, "store", "commitlog", name)),
        ),
        name,
      ).toBe(true);
    }
  });
});

describe("kill -9 of a writing process", () => {
  const cases = [
    ["ASYNC_FLUSH", ""],
    ["SYNC_FLUSH", ""],
    ["SYNC_FLUSH", "warm"], // warmMapedFileEnable: killed with pre-created files warming or warmed
  ] as const;
  for (const [flushDiskType, warm] of cases) {
    it(`${flushDiskType}${warm ? " + warmMapedFileEnable" : ""}: keeps every acknowledged message and a consistent tail`, async () => {
      const root = mkdtempSync(join(tmpdir(), "store-kill-"));
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const writer = join(import.meta.dirname, "support", "writer.mjs");
      const child = spawn(process.execPath, [writer, root, flushDiskType, warm], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const acks: [number, number][] = [];
      let pending = "";
      child.stdout.on("data", (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const l of lines) {
          const [, i, off] = l.split(" ");
          acks.push([Number(i), Number(off)]);
        }
      });
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (acks.length > 3000) {
            clearInterval(t);
            resolve();
          }
        }, 10);
      });
      child.kill("SIGKILL");
      await new Promise((r) => child.on("exit", r));
      expect(existsSync(join(root, "abort"))).toBe(true);

      const store = new DefaultMessageStore(
        config(root, { mappedFileSizeCommitLog: 256 * 1024, maxHashSlotNum: 100, maxIndexNum: 400 }),
        { logger, storeHost: host },
      );
      store.load();
      store.start();
      cleanups.push(() => store.shutdown());
      // Acknowledged = written to the page cache (ASYNC) or flushed (SYNC); a killed process loses neither.
      for (const [i, offset] of acks) {
        const msg = store.lookMessageByOffset(offset);
        expect(msg?.properties.get("UNIQ_KEY"), `ack ${i}`).toBe(`U${i}`);
      }
      // consume queues agree with the commit log, and the store accepts new writes after the tail
      const total = store.getMaxOffsetInQueue("KillTopic", 0) + store.getMaxOffsetInQueue("KillTopic", 1);
      expect(total).toBeGreaterThanOrEqual(acks.length);
      for (const qid of [0, 1]) {
        const max = store.getMaxOffsetInQueue("KillTopic", qid);
        const last = store.findConsumeQueue("KillTopic", qid).getEntry(max - 1);
        expect(store.lookMessageByOffset(last?.offset as number)?.queueOffset).toBe(max - 1);
      }
      const res = await store.putMessage(innerMessage(host, { topic: "KillTopic", body: Buffer.from("after") }));
      expect(res.status).toBe("PUT_OK");
      expect(res.appendResult?.logicsOffset).toBe(store.getMaxOffsetInQueue("KillTopic", 0) - 1);
    });
  }
});
