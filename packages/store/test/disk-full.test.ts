/**
 * The store on a file system that fills up (a real small ext4, see support/smallFs.ts): writes are
 * refused with Java's status for a full disk instead of throwing or killing the process, nothing
 * acknowledged becomes unreadable, and writes resume once space returns. The cases whose failure is
 * SIGBUS run in a child process (support/diskFullChild.mjs, on the built store).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { configDefaults, parseHost, type MessageInner } from "@rocketmq-ts/common";
import { DefaultMessageStore, messageStoreConfigSpec } from "@rocketmq-ts/store";
import { innerMessage } from "./support/messages.js";
import { mountSmallFs, smallFsSupported, type SmallFs } from "./support/smallFs.js";

const host = parseHost("127.0.0.1:10911");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function smallFs(sizeMiB = 16): SmallFs {
  const fs = mountSmallFs(sizeMiB);
  cleanups.push(() => fs.unmount());
  return fs;
}

/** A store without the index (the commit log and consume queues are what these cases fill). */
function openStore(dir: string): DefaultMessageStore {
  const store = new DefaultMessageStore(
    {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: join(dir, "store"),
      mappedFileSizeCommitLog: 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 10_000,
      messageIndexEnable: false,
    },
    { logger: pino({ level: "silent" }), storeHost: host },
  );
  store.load();
  store.start();
  cleanups.push(() => store.shutdown());
  return store;
}

function message(i: number, queueId = 0): MessageInner {
  return innerMessage(host, { topic: "FullTopic", queueId, body: Buffer.alloc(300, 97 + (i % 26)) });
}

/** Run the child case; resolves with its JSON line, its exit code and signal. */
function child(
  mode: string,
  dir: string,
): Promise<{ result: Record<string, unknown> | null; code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(import.meta.dirname, "support", "diskFullChild.mjs"), mode, dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.on("exit", (code, signal) => {
      let result: Record<string, unknown> | null = null;
      try {
        result = JSON.parse(out.trim().split("\n").pop() ?? "") as Record<string, unknown>;
      } catch {
        // no line: the process died before printing it
      }
      resolve({ result, code, signal });
    });
  });
}

describe.skipIf(!smallFsSupported())("a full disk (real ext4 on a loop device)", () => {
  it("refuses a put that hits ENOSPC with SERVICE_NOT_AVAILABLE, keeps what was stored, and takes puts again once space returns", async () => {
    const fs = smallFs();
    const store = openStore(fs.dir);
    let stored = 0;
    for (; stored < 50; stored++) expect((await store.putMessage(message(stored))).status).toBe("PUT_OK");
    fs.fill();
    // the commit log and the queue have room prepared ahead: puts go on until that is used up
    let refused = "";
    for (let i = 0; i < 10_000 && !refused; i++) {
      const { status } = await store.putMessage(message(stored));
      if (status === "PUT_OK") stored++;
      else refused = status;
    }
    expect(refused).toBe("SERVICE_NOT_AVAILABLE");
    expect(store.isDiskFull()).toBe(true);
    expect((await store.putMessage(message(stored))).status).toBe("SERVICE_NOT_AVAILABLE");
    // every acknowledged message is readable while the disk is full
    expect(store.getMaxOffsetInQueue("FullTopic", 0)).toBe(stored);
    const read = store.getMessage("FullTopic", 0, stored - 1, 1);
    expect(read.status).toBe("FOUND");

    fs.free();
    store.checkDiskSpace();
    expect(store.isDiskFull()).toBe(false);
    expect((await store.putMessage(message(stored))).status).toBe("PUT_OK");
    expect(store.getMaxOffsetInQueue("FullTopic", 0)).toBe(stored + 1);
  });

  it("gives a put's consume-queue entry its room before the commit log takes the message", async () => {
    const fs = smallFs();
    const store = openStore(fs.dir);
    expect((await store.putMessage(message(0, 0))).status).toBe("PUT_OK");
    fs.fill();
    // the commit log still has room prepared ahead, a new queue's first file has none
    const maxPhyOffset = store.getMaxPhyOffset();
    expect((await store.putMessage(message(1, 1))).status).toBe("SERVICE_NOT_AVAILABLE");
    expect(store.getMaxPhyOffset()).toBe(maxPhyOffset);
    expect(store.getMaxOffsetInQueue("FullTopic", 1)).toBe(0);

    fs.free();
    store.checkDiskSpace();
    expect((await store.putMessage(message(2, 1))).status).toBe("PUT_OK");
    expect(store.getMessage("FullTopic", 1, 0, 1).status).toBe("FOUND");
  });

  it("survives an index write on a full disk (no SIGBUS), and indexes the message once space returns", async () => {
    const fs = smallFs();
    const { result, code, signal } = await child("index", fs.dir);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(result).toMatchObject({
      refused: "SERVICE_NOT_AVAILABLE",
      readable: "FOUND",
      indexedAfterFree: true,
      resumed: "PUT_OK",
    });
    // the index was what the full disk refused first: acknowledged messages waited for their entries
    expect(result?.notIndexedWhenRefused).toBeGreaterThan(0);
  }, 60_000);

  it("gives a new checkpoint its block when it is opened: no SIGBUS at its first flush on a full disk", async () => {
    const fs = smallFs();
    const { result, code, signal } = await child("checkpoint", fs.dir);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(result).toEqual({ flushed: true, openOnFullDisk: "ENOSPC" });
  });

  it("refuses replicated bytes on a full disk instead of throwing into the HA client", async () => {
    const fs = smallFs();
    const store = openStore(fs.dir);
    fs.fill();
    // a slave's first file starts at the master's offset: nothing of it is prepared yet
    expect(store.appendToCommitLog(0, Buffer.alloc(64 * 1024, 1))).toBe(false);
    expect(store.isDiskFull()).toBe(true);
    fs.free();
  });
});
