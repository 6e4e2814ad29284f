import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkRecord,
  createMessageId,
  decodeMessageId,
  encodeRecord,
  formatHost,
  getProperty,
  string2messageProperties,
  parseHost,
  type MessageExt,
} from "@rocketmq-ts/common";
import {
  decodedRecords,
  STORE_FIXTURES,
  unpackFixture,
  type DecodedRecord,
} from "../../../test/support/storeFixtures.js";

const basic = unpackFixture("basic");
afterAll(() => basic.cleanup());
const FILE_SIZE = 1048576;
const expected = decodedRecords(join(STORE_FIXTURES, "messages-decoded.jsonl"));

function commitLogFile(name: string): Buffer {
  return readFileSync(join(basic.dir, "store", "commitlog", name));
}

describe("commit-log records written by the Java broker (basic fixture)", () => {
  it("decodes every record exactly as messages-decoded.jsonl", () => {
    const files = new Map<string, Buffer>();
    let messages = 0;
    for (const rec of expected) {
      if (rec.kind === "END" || rec.kind === "FILE_AFTER_END") continue;
      const buf = files.get(rec.file) ?? commitLogFile(rec.file);
      files.set(rec.file, buf);
      const check = checkRecord(buf, rec.filePosition, FILE_SIZE, true);
      const where = `record at ${rec.physicalOffset}`;
      if (rec.kind === "BLANK") {
        expect(check.kind, where).toBe("blank");
        expect(buf.readInt32BE(rec.filePosition), where).toBe(rec.totalSize);
        continue;
      }
      expect(check.kind, where).toBe("message");
      if (check.kind !== "message") continue;
      const m = check.msg;
      expect(
        {
          totalSize: m.storeSize,
          magicCode: m.magicCode,
          bodyCRC: m.bodyCRC,
          queueId: m.queueId,
          flag: m.flag,
          queueOffset: m.queueOffset,
          physicalOffsetField: m.commitLogOffset,
          sysFlag: m.sysFlag,
          bornTimestamp: m.bornTimestamp,
          bornHost: formatHost(m.bornHost),
          storeTimestamp: m.storeTimestamp,
          storeHost: formatHost(m.storeHost),
          reconsumeTimes: m.reconsumeTimes,
          preparedTransactionOffset: m.preparedTransactionOffset,
          topic: m.topic,
          propertiesString: m.propertiesString,
          properties: Object.fromEntries([...m.properties].sort(([a], [b]) => (a < b ? -1 : 1))),
          bodySha256: createHash("sha256")
            .update(m.body ?? Buffer.alloc(0))
            .digest("hex"),
          offsetMsgId: createMessageId(m.storeHost, m.commitLogOffset),
        },
        where,
      ).toEqual({
        totalSize: rec["totalSize"],
        magicCode: rec["magicCode"],
        bodyCRC: rec["bodyCRC"],
        queueId: rec["queueId"],
        flag: rec["flag"],
        queueOffset: rec["queueOffset"],
        physicalOffsetField: rec["physicalOffsetField"],
        sysFlag: rec["sysFlag"],
        bornTimestamp: rec["bornTimestamp"],
        bornHost: rec["bornHost"],
        storeTimestamp: rec["storeTimestamp"],
        storeHost: rec["storeHost"],
        reconsumeTimes: rec["reconsumeTimes"],
        preparedTransactionOffset: rec["preparedTransactionOffset"],
        topic: rec["topic"],
        propertiesString: rec["propertiesString"],
        properties: rec["properties"],
        bodySha256: rec["bodySha256"],
        offsetMsgId: rec["offsetMsgId"],
      });
      messages++;
    }
    expect(messages).toBe(1095);
  });

  it("re-encodes every record byte-identically from its decoded fields", () => {
    let n = 0;
    for (const rec of expected.filter((r): r is DecodedRecord => r.kind === "MESSAGE")) {
      const buf = commitLogFile(rec.file);
      const original = buf.subarray(rec.filePosition, rec.filePosition + rec.totalSize);
      const check = checkRecord(buf, rec.filePosition, FILE_SIZE, false);
      const m = (check as { msg: MessageExt }).msg;
      const encoded = encodeRecord(m, m.queueOffset, m.commitLogOffset, m.storeTimestamp);
      expect(encoded.equals(original), `record at ${rec.physicalOffset}`).toBe(true);
      n++;
    }
    expect(n).toBe(1095);
  });

  it("detects corruption: bad CRC, bad magic, truncated record", () => {
    const buf = Buffer.from(commitLogFile("00000000000000000000"));
    expect(checkRecord(buf, 0, FILE_SIZE, true).kind).toBe("message");
    const bodyPos = 177 - 1 - 8 - 1 - 2 - 77; // tiny-1byte: body byte before topic+properties
    buf[bodyPos] = (buf[bodyPos] as number) ^ 0xff;
    expect(checkRecord(buf, 0, FILE_SIZE, true)).toMatchObject({ kind: "invalid", reason: "CRC check failed" });
    expect(checkRecord(buf, 0, FILE_SIZE, false).kind).toBe("message");
    buf.writeInt32BE(0x12345678, 4);
    expect(checkRecord(buf, 0, FILE_SIZE, false).kind).toBe("invalid");
    expect(checkRecord(Buffer.from(commitLogFile("00000000000000000000")), 0, 100, false).kind).toBe("invalid");
  });

  it("reads single properties like the full parser (last wins, empty values skipped)", () => {
    for (const rec of expected.filter((r) => r.kind === "MESSAGE").slice(0, 300)) {
      const props = string2messageProperties(rec["propertiesString"] as string);
      for (const name of ["TAGS", "KEYS", "UNIQ_KEY", "WAIT", "DELAY", "CLUSTER", "nope"]) {
        expect(getProperty(rec["propertiesString"] as string, name), name).toBe(props.get(name));
      }
    }
    expect(getProperty("WAIT\u0001true\u0002TAGS\u0001a\u0002WAIT\u0001false", "WAIT")).toBe("false");
    expect(getProperty("XWAIT\u0001true", "WAIT")).toBeUndefined();
    expect(getProperty("WAIT\u0001\u0002A\u0001b", "WAIT")).toBeUndefined();
  });

  it("derives and decodes offsetMsgIds, IPv4 and IPv6", () => {
    const v4 = parseHost("127.0.0.1:40911");
    expect(createMessageId(v4, 0)).toBe("7F00000100009FCF0000000000000000");
    expect(decodeMessageId("7F00000100009FCF00000000000C8CE5").commitLogOffset).toBe(822501);
    const v6 = parseHost("[::1]:10911");
    const id = createMessageId(v6, 2 ** 40);
    expect(id.length).toBe(56);
    expect(decodeMessageId(id).commitLogOffset).toBe(2 ** 40);
    expect(formatHost(decodeMessageId(id).storeHost)).toBe("[0:0:0:0:0:0:0:1]:10911");
    for (let i = 0; i < 2000; i++) {
      const offset = i < 1000 ? Math.floor(Math.random() * 2 ** 32) : Math.floor(Math.random() * 2 ** 53);
      const hex = offset.toString(16).toUpperCase().padStart(16, "0");
      expect(createMessageId(v4, offset)).toBe(`7F00000100009FCF${hex}`);
      expect(decodeMessageId(createMessageId(v4, offset)).commitLogOffset).toBe(offset);
    }
    expect(createMessageId(v4, Number.MAX_SAFE_INTEGER)).toBe("7F00000100009FCF001FFFFFFFFFFFFF");
  });
});
