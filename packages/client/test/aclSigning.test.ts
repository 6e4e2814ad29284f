/**
 * Signing as Java 4.9.8's AclClientRPCHook, checked against captured Java clients: the `acl-clients`
 * capture (AccessKey RocketMQ, secret 12345678 in step `acl-ok`; 87654321 in `acl-wrong-secret`)
 * and the mqadmin-4.9.8 captures (mqadmin signs with conf/tools.yml, rocketmq2 / 12345678). Each
 * captured request, stripped of AccessKey and Signature and signed again by our hook, must carry the
 * captured Signature and re-encode to the captured frame byte for byte (ext fields in Java's order).
 * Then our clients: `sessionCredentials` signs every request a producer, consumer or admin sends.
 */
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AclClientRPCHook } from "@rocketmq-ts/acl";
import {
  createRequest,
  decodeFrame,
  encodeFrame,
  RequestCode,
  type RemotingCommand,
  type RPCHook,
} from "@rocketmq-ts/remoting";
import { frameBytes, WIRE_DIR, type CapturedFrame } from "../../../test/support/corpus.js";
import { DefaultMQProducer, MQAdminClient, MQClientException, Message } from "../src/index.js";
import { FakeCluster, NAMESRV } from "./support/FakeCluster.js";

const ACL_DIR = join(WIRE_DIR, "acl-clients");

function frames(file: string): CapturedFrame[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as CapturedFrame);
}

/** The signed requests a client sent on these connections (README.md of the capture lists them by step). */
function signedRequests(all: CapturedFrame[], conns?: readonly string[]): CapturedFrame[] {
  return all.filter(
    (f) =>
      f.dir === "c2s" &&
      f.rpcType !== "response" &&
      !f.truncated &&
      (conns === undefined || conns.includes(f.conn)) &&
      typeof f.header.extFields?.["Signature"] === "string",
  );
}

/** The request as the client had it before its hook ran: AccessKey and Signature taken out, order kept. */
function unsigned(f: CapturedFrame): RemotingCommand {
  const cmd = decodeFrame(frameBytes(f));
  const ext = { ...cmd.extFields };
  delete ext["AccessKey"];
  delete ext["Signature"];
  cmd.extFields = ext;
  return cmd;
}

const captured = (f: CapturedFrame, key: string): string => String(f.header.extFields?.[key]);

/** Independent of the code under test: HmacSHA1 over the sorted values (Signature left out) and the body. */
function expectedSignature(cmd: RemotingCommand, secretKey: string): string {
  const ext = cmd.extFields ?? {};
  const text = Object.keys(ext)
    .filter((k) => k !== "Signature")
    .sort()
    .map((k) => ext[k])
    .join("");
  const hmac = createHmac("sha1", secretKey).update(Buffer.from(text, "utf8"));
  if (cmd.body) hmac.update(cmd.body);
  return hmac.digest("base64");
}

const ACL_OK_CONNS = ["41298->24776", "58844->24711", "41304->24776", "58848->24711", "41314->24776", "58860->24711"];
const WRONG_SECRET_CONNS = ["52354->24776", "35934->24711"];

describe("AclClientRPCHook against the Java 4.9.8 clients of the acl-clients capture", () => {
  const all = frames(join(ACL_DIR, "frames.jsonl"));
  const ok = signedRequests(all, ACL_OK_CONNS);
  const hook = new AclClientRPCHook({ accessKey: "RocketMQ", secretKey: "12345678" });

  it("re-signs every request of step acl-ok to the captured Signature, frame byte for byte", () => {
    // every c2s frame of the step's six connections (README.md: 4 + 130 + 15 + 163 + 9 + 19): sends with
    // bodies, pulls, offsets (oneway), heartbeats, name-server lookups
    expect(ok.length).toBe(340);
    expect(new Set(ok.map((f) => f.header.code))).toEqual(new Set([11, 14, 15, 34, 35, 38, 105, 310]));
    for (const f of ok) {
      const cmd = unsigned(f);
      hook.doBeforeRequest("127.0.0.1:24711", cmd);
      const where = `${f.conn} seq ${f.seq}`;
      expect(cmd.extFields?.["Signature"], where).toBe(captured(f, "Signature"));
      expect(cmd.extFields?.["AccessKey"], where).toBe("RocketMQ");
      expect(encodeFrame(cmd).equals(frameBytes(f)), where).toBe(true);
    }
  });

  it("one SEND_MESSAGE_V2 in detail: the signed content, and Java's field order a … n, Signature, AccessKey", () => {
    const send = ok.find((f) => f.header.code === RequestCode.SEND_MESSAGE_V2 && f.bodyText === "Hello world");
    expect(send).toBeDefined();
    const cmd = unsigned(send as CapturedFrame);
    hook.doBeforeRequest("127.0.0.1:24711", cmd);
    expect(cmd.extFields?.["Signature"]).toBe(expectedSignature(cmd, "12345678"));
    expect(Object.keys(cmd.extFields ?? {}).slice(-2)).toEqual(["Signature", "AccessKey"]);
    expect(Object.keys(cmd.extFields ?? {})).toEqual(Object.keys(send?.header.extFields ?? {}));
  });

  it("a wrong secret gives another Signature, the one the acl-wrong-secret client sent", () => {
    const wrong = signedRequests(all, WRONG_SECRET_CONNS);
    expect(wrong.length).toBeGreaterThanOrEqual(8);
    const wrongHook = new AclClientRPCHook({ accessKey: "RocketMQ", secretKey: "87654321" });
    for (const f of wrong) {
      const right = unsigned(f);
      hook.doBeforeRequest("127.0.0.1:24711", right);
      const asSent = unsigned(f);
      wrongHook.doBeforeRequest("127.0.0.1:24711", asSent);
      expect(asSent.extFields?.["Signature"]).toBe(captured(f, "Signature"));
      expect(right.extFields?.["Signature"]).not.toBe(captured(f, "Signature"));
    }
    // and the other way round: the acl-ok requests signed with the wrong secret differ from the capture
    for (const f of ok.slice(0, 20)) {
      const cmd = unsigned(f);
      wrongHook.doBeforeRequest("127.0.0.1:24711", cmd);
      expect(cmd.extFields?.["Signature"]).not.toBe(captured(f, "Signature"));
    }
  });

  it("signs a request that was signed before afresh (a retry of the same command)", () => {
    const f = ok.find((x) => x.header.code === RequestCode.SEND_MESSAGE_V2) as CapturedFrame;
    const cmd = unsigned(f);
    new AclClientRPCHook({ accessKey: "other", secretKey: "87654321" }).doBeforeRequest("x", cmd);
    hook.doBeforeRequest("127.0.0.1:24711", cmd);
    expect(encodeFrame(cmd).equals(frameBytes(f))).toBe(true);
  });

  it("a security token is signed too and travels as SecurityToken", () => {
    const cmd = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "T" } });
    new AclClientRPCHook({ accessKey: "ak", secretKey: "sk", securityToken: "tok" }).doBeforeRequest("x", cmd);
    expect(cmd.extFields).toMatchObject({ AccessKey: "ak", SecurityToken: "tok", topic: "T" });
    expect(cmd.extFields?.["Signature"]).toBe(expectedSignature(cmd, "sk"));
  });
});

describe("AclClientRPCHook against Java 4.9.8 mqadmin (conf/tools.yml: rocketmq2 / 12345678)", () => {
  it("re-signs every signed mqadmin request of the captures, frame byte for byte", () => {
    const dir = join(WIRE_DIR, "mqadmin-4.9.8");
    const hook = new AclClientRPCHook({ accessKey: "rocketmq2", secretKey: "12345678" });
    let checked = 0;
    for (const command of readdirSync(dir).sort()) {
      let all: CapturedFrame[];
      try {
        all = frames(join(dir, command, "frames.jsonl"));
      } catch {
        continue;
      }
      for (const f of signedRequests(all)) {
        if (captured(f, "AccessKey") !== "rocketmq2") continue;
        const cmd = unsigned(f);
        hook.doBeforeRequest("127.0.0.1:30911", cmd);
        expect(cmd.extFields?.["Signature"], `${command} seq ${f.seq}`).toBe(captured(f, "Signature"));
        expect(encodeFrame(cmd).equals(frameBytes(f)), `${command} seq ${f.seq}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe("clients with sessionCredentials", () => {
  const USER = { accessKey: "RocketMQ", secretKey: "12345678" };

  it("a producer signs every request it sends, name-server ones included", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("TopicTest", 4);
    const producer = new DefaultMQProducer({
      namesrvAddr: NAMESRV,
      producerGroup: "acl_pg",
      remotingClient: cluster.client(),
      sessionCredentials: USER,
    });
    await producer.start();
    await producer.send(new Message("TopicTest", Buffer.from("Hello world")));
    await producer.shutdown();
    const codes = new Set(cluster.sent.map((s) => s.cmd.code));
    expect(codes).toContain(RequestCode.GET_ROUTEINFO_BY_TOPIC);
    expect(codes).toContain(RequestCode.SEND_MESSAGE_V2);
    for (const { cmd } of cluster.sent) {
      expect(cmd.extFields?.["AccessKey"]).toBe("RocketMQ");
      expect(cmd.extFields?.["Signature"]).toBe(expectedSignature(cmd, "12345678"));
    }
  });

  it("an admin client signs too; without credentials nothing is signed", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("TopicTest", 4);
    const signedAdmin = new MQAdminClient({
      namesrvAddr: NAMESRV,
      remotingClient: cluster.client(),
      sessionCredentials: USER,
    });
    await signedAdmin.examineTopicRouteInfo("TopicTest");
    const plainAdmin = new MQAdminClient({ namesrvAddr: NAMESRV, remotingClient: cluster.client() });
    await plainAdmin.examineTopicRouteInfo("TopicTest");
    const [first, second] = cluster.sent.map((s) => s.cmd);
    expect(first?.extFields).toMatchObject({ AccessKey: "RocketMQ", topic: "TopicTest" });
    expect(first?.extFields?.["Signature"]).toBe(expectedSignature(first as RemotingCommand, "12345678"));
    expect(second?.extFields).toEqual({ topic: "TopicTest" });
  });

  it("with rpcHook as well, the caller's hook runs first and what it adds is signed", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("TopicTest", 4);
    const own: RPCHook = {
      doBeforeRequest: (_addr, req) => void (req.extFields = { ...req.extFields, Tenant: "t1" }),
      doAfterResponse: () => undefined,
    };
    const admin = new MQAdminClient({
      namesrvAddr: NAMESRV,
      remotingClient: cluster.client(),
      rpcHook: own,
      sessionCredentials: USER,
    });
    await admin.examineTopicRouteInfo("TopicTest");
    const cmd = cluster.sent[0]?.cmd as RemotingCommand;
    expect(cmd.extFields).toMatchObject({ Tenant: "t1", AccessKey: "RocketMQ" });
    expect(cmd.extFields?.["Signature"]).toBe(expectedSignature(cmd, "12345678"));
  });

  it("refuses credentials without an access key or a secret key", () => {
    const cluster = new FakeCluster();
    for (const sessionCredentials of [
      { accessKey: "", secretKey: "12345678" },
      { accessKey: "RocketMQ", secretKey: "" },
    ]) {
      expect(
        () => new MQAdminClient({ namesrvAddr: NAMESRV, remotingClient: cluster.client(), sessionCredentials }),
      ).toThrow(MQClientException);
    }
  });
});
