import { describe, expect, it } from "vitest";
import {
  commandBody,
  createRequest,
  encodeFrameParts,
  createResponse,
  decodeFrame,
  decodeHeader,
  encodeHeader,
  encodePartialHeader,
  SendMessageResponseHeader,
  decodeFramePayload,
  encodeFrame,
  FrameDecoder,
  RemotingCodecError,
  DEFAULT_FRAME_MAX_LENGTH,
  MQ_VERSION_NAMES,
  versionDesc,
  versionOrdinal,
  RequestCode,
  ResponseCode,
  requestCodeName,
  responseCodeName,
  languageFromByte,
  languageToByte,
  MQVersion,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";

function roundTrip(cmd: RemotingCommand): RemotingCommand {
  return decodeFrame(encodeFrame(cmd));
}

describe("MQVersion", () => {
  it("has Java's 613 constants with the known ordinals", () => {
    expect(MQ_VERSION_NAMES.length).toBe(613);
    expect(versionDesc(409)).toBe("V4_9_8");
    expect(versionDesc(479)).toBe("V5_3_3");
    expect(versionDesc(401)).toBe("V4_9_4");
    expect(versionDesc(353)).toBe("V4_7_0");
    expect(versionDesc(317)).toBe("V4_5_2");
    expect(versionDesc(232)).toBe("V4_1_0_SNAPSHOT");
    expect(versionDesc(121)).toBe("V3_4_9");
    expect(versionDesc(37)).toBe("V3_0_11");
    expect(versionDesc(28)).toBe("V3_0_7_SNAPSHOT");
    expect(versionDesc(0)).toBe("V3_0_0_SNAPSHOT");
    expect(versionDesc(612)).toBe("HIGHER_VERSION");
    expect(versionDesc(5000)).toBe("HIGHER_VERSION");
    expect(versionOrdinal("V4_9_8")).toBe(409);
    expect(versionOrdinal("V5_9_9")).toBe(611);
    // ordinals read off the Java enum around its irregular parts
    expect(versionOrdinal("V3_0_15")).toBe(45);
    expect(versionOrdinal("V3_1_0_SNAPSHOT")).toBe(46);
    expect(versionOrdinal("V3_2_9")).toBe(85);
    expect(versionOrdinal("V3_3_1_SNAPSHOT")).toBe(86);
    expect(versionOrdinal("V3_9_9")).toBe(211);
    expect(versionOrdinal("V4_0_0_SNAPSHOT")).toBe(212);
    for (const [name, ordinal] of Object.entries(MQVersion)) expect(versionDesc(ordinal)).toBe(name);
  });
});

describe("codes", () => {
  it("covers 4.9.8 and 5.3.3 codes", () => {
    expect(RequestCode.SEND_MESSAGE_V2).toBe(310);
    expect(RequestCode.LITE_PULL_MESSAGE).toBe(361);
    expect(RequestCode.POP_MESSAGE).toBe(200050);
    expect(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG).toBe(50);
    expect(requestCodeName(105)).toBe("GET_ROUTEINFO_BY_TOPIC");
    expect(ResponseCode.QUERY_NOT_FOUND).toBe(22);
    expect(ResponseCode.GO_AWAY).toBe(1500);
    // 209 was reused by 5.x
    expect(responseCodeName(209, 409)).toBe("UPDATE_AND_CREATE_ACL_CONFIG_FAILED");
    expect(responseCodeName(209, 479)).toBe("POLLING_FULL");
  });

  it("maps languages to bytes and back", () => {
    expect(languageToByte("JAVA")).toBe(0);
    expect(languageToByte("GO")).toBe(9);
    expect(languageFromByte(13)).toBe("NODE_JS");
    expect(languageFromByte(99)).toBeNull();
  });
});

describe("frame codec", () => {
  const request = (): RemotingCommand =>
    createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "TopicTest" } });

  it("encodes a JSON request exactly as Java does", () => {
    const cmd = request();
    cmd.opaque = 3;
    const bytes = encodeFrame(cmd);
    const header =
      '{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":409}';
    expect(bytes.readInt32BE(0)).toBe(4 + header.length);
    expect(bytes.readInt32BE(4)).toBe(header.length);
    expect(bytes.subarray(8).toString()).toBe(header);
  });

  it("escapes remarks like fastjson", () => {
    const cmd = createResponse(request(), 17, { remark: 'a\nb"c\\d\u0001e\u007f/é' });
    const text = encodeFrame(cmd).subarray(8).toString();
    expect(text).toContain('"remark":"a\\nb\\"c\\\\d\\u0001e\\u007F/é"');
    expect(roundTrip(cmd).remark).toBe('a\nb"c\\d\u0001e\u007f/é');
  });

  it("round-trips the binary header, turning empty strings into null like Java", () => {
    const cmd = createRequest(310, {
      serializeType: "ROCKETMQ",
      remark: "",
      extFields: { a: "producer", b: "TopicTest", empty: "", ключ: "значение" },
      body: Buffer.from("hello"),
    });
    const back = roundTrip(cmd);
    expect(back.serializeType).toBe("ROCKETMQ");
    expect(back.remark).toBeNull();
    expect(back.extFields).toEqual({ a: "producer", b: "TopicTest", ключ: "значение" });
    expect(back.body?.toString()).toBe("hello");
    expect(back.opaque).toBe(cmd.opaque);
    expect(back.language).toBe("JAVA");
  });

  it("writes the binary header's strings as UTF-8 with their byte lengths, ASCII or not", () => {
    const long = "x".repeat(200); // a length whose low byte is >= 0x80
    const ext = { a: "producer", ключ: "значение", b: long, emoji: "😀é" };
    const cmd = createRequest(310, { serializeType: "ROCKETMQ", remark: "ré", extFields: ext });
    const frame = encodeFrame(cmd);
    // the layout built by hand: int16 key length, key, int32 value length, value, each UTF-8
    const fields = Buffer.concat(
      Object.entries(ext).map(([k, v]) => {
        const key = Buffer.from(k, "utf8");
        const value = Buffer.from(v, "utf8");
        const head = Buffer.alloc(2);
        head.writeInt16BE(key.length);
        const len = Buffer.alloc(4);
        len.writeInt32BE(value.length);
        return Buffer.concat([head, key, len, value]);
      }),
    );
    const remark = Buffer.from("ré", "utf8");
    const fixed = Buffer.alloc(17);
    fixed.writeInt16BE(310, 0);
    fixed.writeInt8(0, 2);
    fixed.writeInt16BE(cmd.version, 3);
    fixed.writeInt32BE(cmd.opaque, 5);
    fixed.writeInt32BE(cmd.flag, 9);
    fixed.writeInt32BE(remark.length, 13);
    const extLength = Buffer.alloc(4);
    extLength.writeInt32BE(fields.length);
    const header = Buffer.concat([fixed, remark, extLength, fields]);
    expect(frame.subarray(8)).toEqual(header);
    expect(frame.readInt32BE(4)).toBe((1 << 24) | header.length);
    const back = decodeFrame(frame);
    expect(back.remark).toBe("ré");
    expect(back.extFields).toEqual(ext);
  });

  it("keeps extFields absent vs empty apart in JSON", () => {
    const none = roundTrip(createResponse(request(), 0));
    expect(none.extFields).toBeNull();
    const empty = roundTrip(createResponse(request(), 0, { extFields: {} }));
    expect(empty.extFields).toEqual({});
  });

  it("responds in the request's encoding", () => {
    const binary = createRequest(34, { serializeType: "ROCKETMQ" });
    expect(createResponse(binary, 0).serializeType).toBe("ROCKETMQ");
    expect(createResponse(request(), 0).serializeType).toBe("JSON");
  });

  it("accepts lenient JSON headers (unquoted keys, numbers in extFields, missing fields)", () => {
    const header = Buffer.from("{code:105,extFields:{topic:'T',queueId:3,flag:true},flag:0,opaque:7}");
    const frame = Buffer.alloc(8 + header.length);
    frame.writeInt32BE(4 + header.length, 0);
    frame.writeInt32BE(header.length, 4);
    header.copy(frame, 8);
    const cmd = decodeFrame(frame);
    expect(cmd.code).toBe(105);
    expect(cmd.language).toBe("JAVA");
    expect(cmd.version).toBe(0);
    expect(cmd.extFields).toEqual({ topic: "T", queueId: "3", flag: "true" });
  });

  it("refuses malformed frames with RemotingCodecError", () => {
    const bad = (words: number[], tail = Buffer.alloc(0)): Buffer => {
      const b = Buffer.alloc(words.length * 4);
      words.forEach((w, i) => b.writeUInt32BE(w >>> 0, i * 4));
      return Buffer.concat([b, tail]);
    };
    expect(() => decodeFrame(bad([4 + 10, 100], Buffer.alloc(10)))).toThrow(RemotingCodecError); // header > frame
    expect(() => decodeFrame(bad([4 + 2, (7 << 24) | 2], Buffer.from("{}")))).toThrow(RemotingCodecError); // type 7
    expect(() => decodeFrame(bad([4 + 3, 3], Buffer.from("{x")))).toThrow(RemotingCodecError); // bad JSON
    expect(() => decodeFrame(bad([4 + 5, (1 << 24) | 5], Buffer.alloc(5)))).toThrow(RemotingCodecError); // short binary
    const binary = Buffer.alloc(21);
    binary.writeInt32BE(1000, 13); // remark longer than header
    expect(() => decodeFrame(bad([4 + 21, (1 << 24) | 21], binary))).toThrow(RemotingCodecError);
  });
});

describe("FrameDecoder", () => {
  it("yields every frame's exact bytes whatever the chunk boundaries", () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const payloads = Array.from({ length: 200 }, (_, i) =>
      Buffer.alloc(4 + random(i % 10 === 0 ? 20_000 : 300), i % 251),
    );
    const stream = Buffer.concat(
      payloads.map((p) => {
        const prefix = Buffer.alloc(4);
        prefix.writeInt32BE(p.length);
        return Buffer.concat([prefix, p]);
      }),
    );
    const decoder = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length;) {
      const size = 1 + random(random(2) === 0 ? 7 : 5000);
      out.push(...decoder.push(stream.subarray(i, i + size)));
      i += size;
    }
    expect(out.length).toBe(payloads.length);
    out.forEach((frame, i) => expect(frame.equals(payloads[i] as Buffer)).toBe(true));
    expect(decoder.pendingBytes).toBe(0);
  });

  it("yields coalesced and split frames", () => {
    const a = encodeFrame(createRequest(1, { body: Buffer.alloc(10, 1) }));
    const b = encodeFrame(createRequest(2, { body: Buffer.alloc(70_000, 2) }));
    const stream = Buffer.concat([a, b, a]);
    const decoder = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 3) out.push(...decoder.push(stream.subarray(i, i + 3)));
    expect(out.map((f) => decodeFramePayload(f).code)).toEqual([1, 2, 1]);
    expect(decoder.pendingBytes).toBe(0);
    const whole = new FrameDecoder().push(stream);
    expect(whole.length).toBe(3);
    expect(whole[1]?.length).toBe(b.length - 4);
  });

  it("enforces Java's 16 MiB limit counting the length prefix", () => {
    const decoder = new FrameDecoder();
    const ok = Buffer.alloc(4);
    ok.writeInt32BE(DEFAULT_FRAME_MAX_LENGTH - 4);
    expect(decoder.push(ok)).toEqual([]);
    const tooBig = Buffer.alloc(4);
    tooBig.writeInt32BE(DEFAULT_FRAME_MAX_LENGTH - 3);
    expect(() => new FrameDecoder().push(tooBig)).toThrow(/exceeds the limit/);
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-1);
    expect(() => new FrameDecoder().push(negative)).toThrow(RemotingCodecError);
  });
});

describe("command headers", () => {
  it("a partly filled response header carries only the fields set, in Java's HashMap order", () => {
    const region = { MSG_REGION: "DefaultRegion", TRACE_ON: "true" };
    expect(Object.entries(encodePartialHeader(SendMessageResponseHeader, region))).toEqual([
      ["TRACE_ON", "true"],
      ["MSG_REGION", "DefaultRegion"],
    ]);
    const full = { msgId: "AC11", queueId: 3, queueOffset: 9, ...region };
    expect(encodePartialHeader(SendMessageResponseHeader, full)).toEqual(encodeHeader(SendMessageResponseHeader, full));
    expect(() =>
      decodeHeader(SendMessageResponseHeader, encodePartialHeader(SendMessageResponseHeader, region)),
    ).toThrow("the custom field <msgId> is null");
  });
});

describe("a body in pieces", () => {
  it("is framed as if joined, its pieces written as they are", () => {
    const req = createRequest(11, { extFields: { a: "1" } });
    const pieces = [Buffer.from("abc"), Buffer.alloc(0), Buffer.from("defgh")];
    const cmd = createResponse(req, 0, { bodyParts: pieces, remark: "FOUND" });
    const parts = encodeFrameParts(cmd);
    expect(parts.slice(1)).toEqual([pieces[0], pieces[2]]);
    expect(parts[1]).toBe(pieces[0]); // the same bytes, not a copy
    const joined = encodeFrame(createResponse(req, 0, { body: Buffer.from("abcdefgh"), remark: "FOUND" }));
    expect(Buffer.concat(parts)).toEqual(joined);
    expect(commandBody(cmd)).toEqual(Buffer.from("abcdefgh"));
    expect(decodeFramePayload(Buffer.concat(parts).subarray(4)).body).toEqual(Buffer.from("abcdefgh"));
  });
});
