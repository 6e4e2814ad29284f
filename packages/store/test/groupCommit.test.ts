/** SYNC_FLUSH's group commit when the disk fails the fdatasync: the writers are told, the process lives on. */
import { describe, expect, it } from "vitest";
import { GroupCommitService } from "../src/GroupCommitService.js";

describe("GroupCommitService", () => {
  it("answers false (FLUSH_DISK_TIMEOUT) when the flush fails, and flushes again for later writers", async () => {
    let fail = true;
    const log = {
      flushedWhere: 0,
      flush: (): Promise<boolean> => {
        if (fail) return Promise.reject(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
        log.flushedWhere = 100;
        return Promise.resolve(true);
      },
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    const service = new GroupCommitService(log, 5000, () => undefined);
    try {
      expect(await service.submit(50)).toBe(false);
      fail = false;
      expect(await service.submit(100)).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      service.shutdown();
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
