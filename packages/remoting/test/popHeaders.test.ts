/** POP headers and the BATCH_ACK body as Java 5.3.3 writes them. */
import { describe, expect, it } from "vitest";
import {
  bitSetFromBytes,
  bitSetToBytes,
  decodeBatchAckBody,
  decodeHeader,
  encodeBatchAckBody,
  encodeHeader,
  PopMessageRequestHeader,
} from "../src/index.js";

describe("PopMessageRequestHeader", () => {
  it("round-trips and fills Java's Boolean order default", () => {
    const ext = {
      consumerGroup: "G",
      topic: "T",
      queueId: "-1",
      maxMsgNums: "32",
      invisibleTime: "60000",
      pollTime: "15000",
      bornTime: "1700000000000",
      initMode: "0",
      bname: "broker-a",
    };
    const h = decodeHeader(PopMessageRequestHeader, ext);
    expect(h).toMatchObject({ queueId: -1, maxMsgNums: 32, order: false, bname: "broker-a" });
    expect(encodeHeader(PopMessageRequestHeader, h)).toMatchObject({ ...ext, order: "false" });
    expect(() => decodeHeader(PopMessageRequestHeader, { consumerGroup: "G" })).toThrow(
      /the custom field <topic> is null/,
    );
  });
});

describe("BATCH_ACK body", () => {
  it("writes the BitSet as Java's toByteArray in base64 and reads it back", () => {
    // bits 1, 3, 5 (Java's BatchAckTest offsets startOffset+1, +3, +5): one byte 0b00101010
    expect(bitSetToBytes([1, 3, 5]).toString("base64")).toBe("Kg==");
    expect(bitSetFromBytes(Buffer.from([0x2a, 0x01]))).toEqual([1, 3, 5, 8]);
    const body = encodeBatchAckBody({
      brokerName: "broker-a",
      acks: [
        { c: "G", t: "T", r: "0", so: 100, q: 1, rq: 2, pt: 1_700_000_000_000, it: 5000, offsets: [101, 103, 105] },
      ],
    });
    expect(body.toString()).toBe(
      '{"acks":[{"b":"Kg==","c":"G","it":5000,"pt":1700000000000,"q":1,"r":"0","rq":2,"so":100,"t":"T"}],"brokerName":"broker-a"}',
    );
    expect(decodeBatchAckBody(body).acks[0]?.offsets).toEqual([101, 103, 105]);
  });

  it("accepts Java's long alternate names", () => {
    const raw = Buffer.from(
      '{"acks":[{"bitSet":"AQ==","consumerGroup":"G","topic":"T","retry":"1","startOffset":7,"queueId":0,"reviveQueueId":3,"popTime":1,"invisibleTime":2}]}',
    );
    expect(decodeBatchAckBody(raw)).toEqual({
      brokerName: null,
      acks: [{ c: "G", t: "T", r: "1", so: 7, q: 0, rq: 3, pt: 1, it: 2, offsets: [7] }],
    });
  });
});
