/** The DLedger `checkpoint` file: Java's text, the `.bak` of the previous version, what is read back. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StoreLoadError } from "@rocketmq-ts/store";
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, persistCheckpoint } from "../src/index.js";
import { removeDir } from "./support/dledgerStoreFixture.js";
import { DATA_FILE_SIZE, openStore, tempBase } from "./support/smallStore.js";

const bases: string[] = [];
function newBase(): string {
  const b = tempBase("checkpoint");
  bases.push(b);
  return b;
}
afterEach(() => {
  for (const b of bases.splice(0)) removeDir(b);
});

describe("checkpoint file", () => {
  it("is committedIndex then endIndex, as the Java stores hold it", () => {
    expect(encodeCheckpoint({ committedIndex: 1999, endIndex: 1999 })).toBe("committedIndex=1999\nendIndex=1999\n");
    expect(encodeCheckpoint({ committedIndex: -1, endIndex: -1 })).toBe("committedIndex=-1\nendIndex=-1\n");
  });

  it("reads Java properties text (any key order, spaces, comments); bad or blank values count as absent", () => {
    expect(decodeCheckpoint(Buffer.from("#c\nendIndex = 7\ncommittedIndex=5\n"))).toEqual({
      committedIndex: 5,
      endIndex: 7,
    });
    expect(decodeCheckpoint(Buffer.from("committedIndex=\nendIndex=x\n"))).toEqual({});
  });

  it("keeps the previous version as .bak and reads only the main file", () => {
    const dir = join(newBase(), "dledger-n0");
    expect(loadCheckpoint(dir)).toBeNull();
    persistCheckpoint(dir, { committedIndex: 1, endIndex: 2 });
    expect(existsSync(join(dir, "checkpoint.bak"))).toBe(false);
    persistCheckpoint(dir, { committedIndex: 3, endIndex: 4 });
    expect(readFileSync(join(dir, "checkpoint"), "utf8")).toBe("committedIndex=3\nendIndex=4\n");
    expect(readFileSync(join(dir, "checkpoint.bak"), "utf8")).toBe("committedIndex=1\nendIndex=2\n");
    expect(existsSync(join(dir, "checkpoint.tmp"))).toBe(false);
    expect(loadCheckpoint(dir)).toEqual({ committedIndex: 3, endIndex: 4 });
  });
});

describe("load", () => {
  it("refuses a data file whose size is not mappedFileSizeForEntryData (Java exits)", () => {
    const base = newBase();
    const dir = join(base, "dledger-n0", "data");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "00000000000000000000"), Buffer.alloc(DATA_FILE_SIZE / 2));
    expect(() => openStore(base)).toThrow(StoreLoadError);
  });
});
