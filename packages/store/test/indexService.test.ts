/** IndexService: new files when one fills up, named as Java names them. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { pino } from "pino";
import { IndexService, timeMillisToHumanString } from "@rocketmq-ts/store";

const roots: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  while (roots.length) rmSync(roots.pop() as string, { recursive: true, force: true });
});

describe("IndexService", () => {
  it("names files filled within one millisecond apart (17-digit names counted exactly)", () => {
    const root = mkdtempSync(join(tmpdir(), "index-service-"));
    roots.push(root);
    const now = new Date(2026, 11, 6, 2, 25, 0, 123).getTime();
    vi.spyOn(Date, "now").mockReturnValue(now);
    const index = new IndexService(root, 4, 4, pino({ level: "silent" }));
    // 4 entries a file: 20 keyed messages fill 5 files in the same millisecond
    for (let i = 0; i < 20; i++)
      index.buildIndex({
        topic: "T",
        commitLogOffset: 100 * (i + 1),
        storeTimestamp: now,
        sysFlag: 0,
        uniqKey: `U${i}`,
        keys: undefined,
      });
    const first = BigInt(timeMillisToHumanString(now));
    const names = index.indexFiles.map((f) => f.fileName.slice(-17));
    expect(names.length).toBeGreaterThanOrEqual(5);
    expect(names).toEqual(names.map((_, i) => (first + BigInt(i)).toString()));
    index.shutdown();
  });
});
