import { describe, expect, it } from "vitest";
import {
  DLedgerBodyError,
  DLedgerRequestCode,
  DLedgerResponseCode,
  dledgerResponseCodeName,
  GetEntriesRequestCodec,
  HeartBeatRequestCodec,
  HeartBeatResponseCodec,
  LeadershipTransferRequestCodec,
  MetadataResponseCodec,
  PushEntryRequestCodec,
  PushEntryResponseCodec,
  VoteRequestCodec,
  VoteResponseCodec,
  BatchAppendEntryRequestCodec,
  type BodyCodec,
} from "../src/index.js";
import { commandOf, dledgerCodeOf, dledgerFrames } from "./support/dledgerCapture.js";

type AnyCodec = BodyCodec<object>;

const REQUEST_CODECS = new Map<number, AnyCodec>([
  [DLedgerRequestCode.VOTE, VoteRequestCodec],
  [DLedgerRequestCode.HEART_BEAT, HeartBeatRequestCodec],
  [DLedgerRequestCode.PUSH, PushEntryRequestCodec],
]);
const RESPONSE_CODECS = new Map<number, AnyCodec>([
  [DLedgerRequestCode.VOTE, VoteResponseCodec],
  [DLedgerRequestCode.HEART_BEAT, HeartBeatResponseCodec],
  [DLedgerRequestCode.PUSH, PushEntryResponseCodec],
]);

describe("DLedger body codecs against the captured Java group", () => {
  const frames = dledgerFrames();

  it("holds VOTE, HEART_BEAT and PUSH requests and responses", () => {
    const codes = new Set(frames.map((f) => `${f.rpcType}:${dledgerCodeOf(f)}`));
    expect(codes).toEqual(
      new Set([
        "request:51001",
        "response:51001",
        "request:51002",
        "response:51002",
        "request:51004",
        "response:51004",
      ]),
    );
    expect(frames.length).toBeGreaterThan(8000);
  });

  it("re-encodes every captured body byte for byte from its decoded form", () => {
    let checked = 0;
    for (const f of frames) {
      const cmd = commandOf(f);
      const codecs = f.rpcType === "response" ? RESPONSE_CODECS : REQUEST_CODECS;
      const codec = codecs.get(dledgerCodeOf(f));
      expect(codec, `seq ${f.seq}`).toBeDefined();
      const body = cmd.body ?? Buffer.alloc(0);
      const decoded = codec!.decode(body);
      const again = codec!.encode(decoded);
      if (!again.equals(body)) {
        expect(again.toString("utf8"), `seq ${f.seq}`).toBe(body.toString("utf8"));
      }
      checked++;
    }
    expect(checked).toBe(frames.length);
  });

  it("decodes the fields with their Java meaning", () => {
    const vote = frames.find((f) => f.seq === 16)!;
    const resp = VoteResponseCodec.decode(commandOf(vote).body);
    expect(resp).toMatchObject({ voteResult: "ACCEPT", term: 1, leaderId: "n0", localId: "n0", remoteId: "n1" });
    const push = frames.find((f) => f.rpcType === "request" && f.bodyJson?.["type"] === "APPEND")!;
    const req = PushEntryRequestCodec.decode(commandOf(push).body);
    expect(req.entry?.body?.length).toBe(req.entry!.size - 48);
    expect(req.batchEntry).toEqual([]);
    const tnr = frames.find((f) => f.bodyCodeName === "TERM_NOT_READY")!;
    expect(dledgerResponseCodeName(HeartBeatResponseCodec.decode(commandOf(tnr).body).code)).toBe("TERM_NOT_READY");
  });
});

describe("DLedger bodies not in the capture", () => {
  it("write Java's defaults: a fresh HeartBeatResponse is {code:200,term:-1}", () => {
    expect(HeartBeatResponseCodec.encode(HeartBeatResponseCodec.create()).toString()).toBe('{"code":200,"term":-1}');
  });

  it("PushEntryRequest COMMIT: no entry, count 0, first/last -1", () => {
    const req = PushEntryRequestCodec.create({ type: "COMMIT", commitIndex: 7, group: "g", term: 3 });
    expect(PushEntryRequestCodec.encode(req).toString()).toBe(
      '{"batch":false,"batchEntry":[],"code":200,"commitIndex":7,"count":0,"firstEntryIndex":-1,"group":"g","lastEntryIndex":-1,"term":3,"totalSize":0,"type":"COMMIT"}',
    );
  });

  it("round-trips a batch push, get, batch append, leadership transfer and metadata", () => {
    const entry = {
      magic: 1,
      size: 51,
      index: 4,
      term: 2,
      pos: 96,
      channel: 0,
      chainCrc: 0,
      bodyCrc: 0,
      body: Buffer.from("abc"),
    };
    const batch = PushEntryRequestCodec.create({
      batchEntry: [entry, { ...entry, index: 5, pos: 147 }],
      totalSize: 102,
    });
    const text = PushEntryRequestCodec.encode(batch).toString();
    expect(text).toContain('"batch":true');
    expect(text).toContain('"count":2,"firstEntryIndex":4');
    expect(text).toContain('"lastEntryIndex":5');
    expect(text).toContain(
      '{"body":"YWJj","bodyCrc":0,"chainCrc":0,"channel":0,"index":4,"magic":1,"pos":96,"size":51,"term":2}',
    );
    expect(PushEntryRequestCodec.decode(Buffer.from(text))).toEqual(batch);

    const get = GetEntriesRequestCodec.create({ beginIndex: 3, indexList: [1, 2] });
    expect(GetEntriesRequestCodec.encode(get).toString()).toBe(
      '{"beginIndex":3,"code":200,"indexList":[1,2],"maxSize":0,"term":-1}',
    );
    const append = BatchAppendEntryRequestCodec.create({ batchMsgs: [Buffer.from("x"), Buffer.from("yz")] });
    expect(BatchAppendEntryRequestCodec.encode(append).toString()).toBe(
      '{"batchMsgs":["eA==","eXo="],"code":200,"term":-1}',
    );
    const lt = LeadershipTransferRequestCodec.create({ transferId: "n0", transfereeId: "n1", term: 4 });
    expect(LeadershipTransferRequestCodec.decode(LeadershipTransferRequestCodec.encode(lt))).toEqual(lt);
    const md = MetadataResponseCodec.create({ peers: { n1: "127.0.0.1:2", n0: "127.0.0.1:1" }, leaderId: "n0" });
    expect(MetadataResponseCodec.encode(md).toString()).toBe(
      '{"code":200,"leaderId":"n0","peers":{"n0":"127.0.0.1:1","n1":"127.0.0.1:2"},"term":-1}',
    );
  });

  it("refuses bodies that are not DLedger JSON", () => {
    expect(() => VoteRequestCodec.decode(Buffer.from("nope"))).toThrow(DLedgerBodyError);
    expect(() => VoteRequestCodec.decode(Buffer.from('{"term":"x"}'))).toThrow(/VoteRequest.term/);
    expect(() => VoteResponseCodec.decode(Buffer.from('{"voteResult":"MAYBE"}'))).toThrow(DLedgerBodyError);
    expect(VoteRequestCodec.decode(Buffer.from('{"term":"5"}')).term).toBe(5);
    expect(DLedgerResponseCode.UNSUPPORTED).toBe(303);
  });
});
