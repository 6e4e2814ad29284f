// The in-place record checks recovery scans with (common/message/RecordScan) against the records the
// Java broker wrote (basic fixture) and against the full decoder on damaged copies of them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkRecord, checkRecordSize, recordHeadAt, recordStoreTimestampAt } from "@rocketmq-ts/common";
import {
  decodedRecords,
  STORE_FIXTURES,
  unpackFixture,
  type DecodedRecord,
} from "../../../test/support/storeFixtures.js";

const basic = unpackFixture("basic");
afterAll(() => basic.cleanup());
const FILE_SIZE = 1048576;
const records = decodedRecords(join(STORE_FIXTURES, "messages-decoded.jsonl"));
const files = new Map<string, Buffer>();
const fileOf = (name: string): Buffer => {
  let b = files.get(name);
  if (!b) files.set(name, (b = readFileSync(join(basic.dir, "store", "commitlog", name))));
  return b;
};
const messages = records.filter((r): r is DecodedRecord => r.kind === "MESSAGE");

describe("checkRecordSize / recordHeadAt over the Java broker's records", () => {
  it("gives every record's size (0 for the BLANK filler) and its dispatch fields", () => {
    let n = 0;
    for (const rec of records) {
      if (rec.kind !== "MESSAGE" && rec.kind !== "BLANK") continue;
      const buf = fileOf(rec.file);
      const where = `record at ${rec.physicalOffset}`;
      if (rec.kind === "BLANK") {
        expect(checkRecordSize(buf, rec.filePosition, FILE_SIZE, true), where).toBe(0);
        continue;
      }
      expect(checkRecordSize(buf, rec.filePosition, FILE_SIZE, true), where).toBe(rec.totalSize);
      expect(recordHeadAt(buf, rec.filePosition), where).toEqual({
        queueId: rec["queueId"],
        queueOffset: rec["queueOffset"],
        commitLogOffset: rec["physicalOffsetField"],
        sysFlag: rec["sysFlag"],
        storeTimestamp: rec["storeTimestamp"],
        topic: rec["topic"],
        propertiesString: rec["propertiesString"],
      });
      expect(recordStoreTimestampAt(buf, rec.filePosition), where).toBe(rec["storeTimestamp"]);
      n++;
    }
    expect(n).toBe(1095);
  });

  it("finds a record invalid exactly when the full decoder does, on damaged copies", () => {
    const damages = ["body byte", "magic", "total size", "body length", "topic length", "properties length"] as const;
    let compared = 0;
    for (const rec of messages.filter((_, i) => i % 7 === 0)) {
      const original = fileOf(rec.file);
      const pos = rec.filePosition;
      const size = rec.totalSize;
      const sysFlag = rec["sysFlag"] as number;
      const bornHost = (sysFlag & 0x10) === 0 ? 8 : 20;
      const storeHost = (sysFlag & 0x20) === 0 ? 8 : 20;
      const bodyLengthPos = pos + 48 + bornHost + 8 + storeHost + 12;
      const bodyLength = original.readInt32BE(bodyLengthPos);
      const topicLengthPos = bodyLengthPos + 4 + bodyLength;
      const propsLengthPos = topicLengthPos + 1 + original.readInt8(topicLengthPos);
      for (const what of damages) {
        if (what === "body byte" && bodyLength === 0) continue;
        const buf = Buffer.from(original.subarray(0, pos + size + 64));
        if (what === "body byte") buf[bodyLengthPos + 4] = (buf[bodyLengthPos + 4] as number) ^ 0x5a;
        if (what === "magic") buf.writeInt32BE(0, pos + 4);
        if (what === "total size") buf.writeInt32BE(size + 1, pos);
        if (what === "body length") buf.writeInt32BE(bodyLength - 1, bodyLengthPos);
        if (what === "topic length") buf.writeInt8(buf.readInt8(topicLengthPos) - 1, topicLengthPos);
        if (what === "properties length") buf.writeInt16BE(buf.readInt16BE(propsLengthPos) + 1, propsLengthPos);
        for (const crc of [true, false]) {
          const where = `${what}, crc ${crc}, record at ${rec.physicalOffset}`;
          const slow = checkRecord(buf, pos, buf.length, crc, true);
          const fast = checkRecordSize(buf, pos, buf.length, crc);
          expect(fast, where).toBe(slow.kind === "message" ? slow.size : -1);
          // only a body byte with the CRC unchecked goes unnoticed
          expect(fast, where).toBe(what === "body byte" && !crc ? size : -1);
          compared++;
        }
      }
      // cut short: the data ends inside the record
      expect(checkRecordSize(original, pos, pos + size - 1, false)).toBe(-1);
      expect(checkRecord(original, pos, pos + size - 1, false).kind).toBe("invalid");
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
