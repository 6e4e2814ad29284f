import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configDefaults } from "@rocketmq-ts/common";
import {
  BLANK_MAGIC_CODE,
  checkTimerConfig,
  decodeTimerCheckpoint,
  encodeUnit,
  javaHash,
  messageStoreConfigSpec,
  offsetForLastUnit,
  TimerCheckpoint,
  TimerLog,
  TimerWheel,
  TimerWheelLengthError,
  TIMER_SLOTS_TOTAL,
  UNIT_SIZE,
} from "@rocketmq-ts/store";

const dirs: string[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  while (closers.length) closers.pop()?.();
  while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "timer-files-"));
  dirs.push(d);
  return d;
}

const unit = (prevPos: number, offsetPy: number) => ({
  prevPos,
  magic: 1,
  enqueueTime: 1_700_000_000_000,
  delay: 3000,
  offsetPy,
  sizePy: 250,
  topicHash: javaHash("TopicA"),
});

describe("TimerLog", () => {
  it("writes a 52-byte unit byte for byte as Java's TimerMessageStore.doEnqueue", () => {
    const bytes = encodeUnit(unit(-1, 0x0102030405));
    expect(bytes.length).toBe(52);
    const expected = Buffer.concat([
      Buffer.from("00000034", "hex"), // size 52
      Buffer.from("ffffffffffffffff", "hex"), // prevPos −1
      Buffer.from("00000001", "hex"), // magic DEFAULT
      Buffer.from("0000018bcfe56800", "hex"), // enqueueTime 1_700_000_000_000
      Buffer.from("00000bb8", "hex"), // delay 3000
      Buffer.from("0000000102030405", "hex"), // commit-log offset
      Buffer.from("000000fa", "hex"), // size 250
      Buffer.from("95a7c512", "hex"), // "TopicA".hashCode() = -1784167150
      Buffer.alloc(8), // reserved
    ]);
    expect(bytes.equals(expected)).toBe(true);
    expect(javaHash("TopicA")).toBe(-1784167150);
  });

  it("ends a file with Java's blank record when a unit and 16 bytes no longer fit", () => {
    const dir = tempDir();
    const log = new TimerLog(join(dir, "timerlog"), 200);
    closers.push(() => log.shutdown());
    log.load();
    expect([0, 1, 2, 3].map((i) => log.append(unit(-1, i)))).toEqual([0, 52, 104, 200]);
    const first = readFileSync(join(dir, "timerlog", "00000000000000000000"));
    // blank at 156: remaining (44), a zero long, BLANK_MAGIC_CODE = 0xBBCCDDEE ^ 1880681594
    expect(first.readInt32BE(156)).toBe(44);
    expect(first.readBigInt64BE(160)).toBe(0n);
    expect(first.readInt32BE(168) >>> 0).toBe(0xcbd43194);
    expect(BLANK_MAGIC_CODE >>> 0).toBe(0xcbd43194);
    expect(offsetForLastUnit(200)).toBe(104);
    expect(offsetForLastUnit(100 * 1024 * 1024) % UNIT_SIZE).toBe(0);
    expect(log.getUnit(200)?.offsetPy).toBe(3);
  });

  it("recovers up to the last valid unit, re-pointing slots and truncating garbage", () => {
    const dir = tempDir();
    const path = join(dir, "timerlog");
    const log = new TimerLog(path, 52 * 10 + 16);
    log.load();
    for (let i = 0; i < 3; i++) log.append(unit(i === 0 ? -1 : (i - 1) * 52, i));
    log.shutdown();
    const fd = openSync(join(path, "00000000000000000000"), "r+");
    writeSync(fd, Buffer.from("deadbeefdeadbeef", "hex"), 0, 8, 3 * 52); // a torn write after the last unit
    closeSync(fd);

    const again = new TimerLog(path, 52 * 10 + 16);
    closers.push(() => again.shutdown());
    again.load();
    const seen: [number, number][] = [];
    const end = again.recoverAndRevise(0, true, (delayedTime, pos) => seen.push([delayedTime, pos]));
    expect(end).toBe(156);
    expect(seen).toEqual([
      [1_700_000_003_000, 0],
      [1_700_000_003_000, 52],
      [1_700_000_003_000, 104],
    ]);
    expect(again.getMaxOffset()).toBe(156);
    expect(again.append(unit(104, 9))).toBe(156);
  });

  it("deletes leading files whose last unit refers below the commit log's first offset", () => {
    const dir = tempDir();
    const log = new TimerLog(join(dir, "timerlog"), 200);
    closers.push(() => log.shutdown());
    log.load();
    for (let i = 0; i < 9; i++) log.append(unit(-1, i * 100)); // three files, last units 200, 500, 800
    expect(log.mappedFileQueue.files.length).toBe(3);
    expect(log.deleteExpiredFiles(200)).toBe(0);
    expect(log.deleteExpiredFiles(201)).toBe(1);
    expect(log.deleteExpiredFiles(10_000)).toBe(1); // never the last file
    expect(log.mappedFileQueue.files.map((f) => f.fileFromOffset)).toEqual([400]);
  });
});

describe("TimerWheel", () => {
  it("is one sparse file of 2 × 604800 slots × 32 bytes; slot = time / precision mod slots", async () => {
    const dir = tempDir();
    const path = join(dir, "timerwheel");
    const wheel = new TimerWheel(path, TIMER_SLOTS_TOTAL, 1000);
    expect(statSync(path).size).toBe(38_707_200);
    const t = 1_700_000_123_000;
    expect(wheel.getSlotIndex(t)).toBe(Math.floor(t / 1000) % 1_209_600);
    expect(wheel.getSlot(t)).toEqual({ timeMs: -1, firstPos: -1, lastPos: -1, num: 0, magic: 0 });
    wheel.putSlot(t, 52, 104, 2, 0);
    await wheel.flush();
    wheel.shutdown();
    const at = wheel.getSlotIndex(t) * 32;
    const raw = readFileSync(path).subarray(at, at + 32);
    expect(raw.toString("hex")).toBe(
      (t / 1000).toString(16).padStart(16, "0") + "0000000000000034" + "0000000000000068" + "00000002" + "00000000",
    );
    expect(statSync(path).blocks * 512).toBeLessThan(1024 * 1024); // sparse

    const again = new TimerWheel(path, TIMER_SLOTS_TOTAL, 1000);
    closers.push(() => again.shutdown());
    expect(again.getSlot(t + 999)).toEqual({ timeMs: t, firstPos: 52, lastPos: 104, num: 2, magic: 0 });
    // the same slot index one turn later belongs to another time: empty for it
    expect(again.getSlot(t + 1_209_600_000).timeMs).toBe(-1);
    expect(again.getAllNum(t - 5000)).toBe(2);
    expect(again.checkPhyPos(t - 5000, 100)).toBe(52);
    expect(again.checkPhyPos(t - 5000, 104)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("refuses a wheel file of another length", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "timerwheel"), Buffer.alloc(1000));
    expect(() => new TimerWheel(join(dir, "timerwheel"), TIMER_SLOTS_TOTAL, 1000)).toThrow(TimerWheelLengthError);
  });
});

describe("TimerCheckpoint", () => {
  it("keeps 7 longs at the head of a 4096-byte config/timercheck", async () => {
    const dir = tempDir();
    const path = join(dir, "config", "timercheck");
    const cp = new TimerCheckpoint(path, () => 42);
    expect(cp.timestamp).toBe(42);
    Object.assign(cp, {
      lastReadTimeMs: 1000,
      lastTimerLogFlushPos: 52,
      lastTimerQueueOffset: 3,
      masterTimerQueueOffset: 4,
    });
    cp.updateDataVersion(0, 77);
    await cp.flush();
    cp.shutdown();
    const raw = readFileSync(path);
    expect(raw.length).toBe(4096);
    expect(raw.subarray(0, 56).toString("hex")).toBe(
      [1000, 52, 3, 4, 0, 77, 1].map((n) => n.toString(16).padStart(16, "0")).join(""),
    );
    expect(decodeTimerCheckpoint(raw)).toMatchObject({ lastReadTimeMs: 1000, counter: 1, timestamp: 77 });
    const again = new TimerCheckpoint(path, () => 99);
    closers.push(() => again.shutdown());
    expect(again.masterTimerQueueOffset).toBe(4);
    expect(again.timestamp).toBe(77);
  });
});

describe("timer config", () => {
  it("has Java 5.3.3's defaults and refuses values that would stall the timer, naming the key", () => {
    const c = configDefaults(messageStoreConfigSpec({}));
    expect(c).toMatchObject({
      timerWheelEnable: true,
      timerPrecisionMs: 1000,
      timerMaxDelaySec: 259200,
      timerRollWindowSlot: 172800,
      mappedFileSizeTimerLog: 104857600,
      timerFlushIntervalMs: 1000,
      timerCongestNumEachSlot: 2147483647,
      timerEnableRetryUntilSuccess: false,
      timerProgressLogIntervalMs: 10000,
    });
    expect(() => checkTimerConfig(c)).not.toThrow();
    expect(() => checkTimerConfig({ ...c, timerPrecisionMs: 0 })).toThrow(
      expect.objectContaining({ name: "ConfigError", key: "timerPrecisionMs" }),
    );
    expect(() => checkTimerConfig({ ...c, mappedFileSizeTimerLog: 67 })).toThrow(/mappedFileSizeTimerLog/);
    expect(() => checkTimerConfig({ ...c, timerFlushIntervalMs: 0 })).toThrow(/timerFlushIntervalMs/);
  });
});
