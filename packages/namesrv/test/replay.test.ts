import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import {
  configDefaults,
  decodeTopicList,
  decodeTopicRouteData,
  encodeRegisterBrokerBody,
  newTopicConfig,
} from "@rocketmq-ts/common";
import {
  createRequest,
  encodeFrame,
  RegisterBrokerRequestHeader,
  encodeHeader,
  RemotingClient,
} from "@rocketmq-ts/remoting";
import { NamesrvController, namesrvConfigSpec, nettyServerConfigSpec } from "@rocketmq-ts/namesrv";
import { loadScenarios, type CapturedFrame } from "../../../test/support/corpus.js";
import { replay } from "../../../test/support/replay.js";

const scenarios = new Map(loadScenarios().map((s) => [s.name, s.frames]));
const NAMESRV_PORT = 39876;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function startNamesrv(): Promise<{ controller: NamesrvController; port: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "namesrv-test-"));
  const spec = namesrvConfigSpec({ ROCKETMQ_HOME: dir, JAVA_OPT: `-Duser.home=${dir}` });
  const namesrvConfig = configDefaults(spec);
  const nettyServerConfig = { ...configDefaults(nettyServerConfigSpec), listenPort: 0 };
  const controller = new NamesrvController({
    namesrvConfig,
    namesrvConfigSpec: spec,
    nettyServerConfig,
    logger: pino({ level: "silent" }),
    bindAddress: "127.0.0.1",
  });
  const port = await controller.start();
  cleanups.push(async () => {
    await controller.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });
  return { controller, port, dir };
}

function bodyOf(f: CapturedFrame | undefined): string {
  return f?.bodyText ?? "";
}

describe("replay of captured broker registrations (broker-register)", () => {
  it("answers every REGISTER_BROKER / UNREGISTER_BROKER byte-for-byte like the Java name server", async () => {
    const { controller, port } = await startNamesrv();
    const exchanges = await replay(scenarios.get("broker-register") as CapturedFrame[], NAMESRV_PORT, {
      host: "127.0.0.1",
      port,
    });
    const twoWay = exchanges.filter((e) => e.captured);
    expect(twoWay.length).toBe(11); // 9 registrations answered + 2 unregistrations
    expect(exchanges.length).toBe(13); // plus 2 oneway re-registrations after topic creation
    for (const e of twoWay) {
      const captured = Buffer.from(e.captured?.frameBase64 as string, "base64");
      expect(e.ours?.bytes.toString(), `seq ${e.request.seq}`).toBe(captured.toString());
    }
    // slave registrations learned the master's address and HA address
    const slaveAnswer = twoWay.find((e) => e.request.header.extFields?.["brokerId"] === "1");
    expect(slaveAnswer?.ours?.cmd.extFields).toEqual({
      haServerAddr: "127.0.0.1:30912",
      masterAddr: "127.0.0.1:30911",
    });
    // both brokers unregistered: nothing left
    expect(controller.routeInfoManager.brokerAddrTable.size).toBe(0);
    expect(controller.routeInfoManager.topicQueueTable.size).toBe(0);
  });
});

/**
 * The mqadmin captures ran against a name server that knew one broker (broker-a, 127.0.0.1:30911).
 * Rebuild that state from what the capture itself shows (the route answers and the topic list),
 * then replay the commands' name-server requests.
 */
async function registerBrokerFromCapture(port: number, frames: CapturedFrame[]): Promise<void> {
  const table = new Map<string, ReturnType<typeof newTopicConfig>>();
  for (const f of frames) {
    if (f.rpcType !== "response" || f.header.code !== 0) continue;
    const req = frames.find(
      (r) => r.conn === f.conn && r.dir !== f.dir && r.header.opaque === f.header.opaque && r.rpcType !== "response",
    );
    if (req?.header.code === 105) {
      const route = decodeTopicRouteData(Buffer.from(f.bodyText as string));
      const q = route.queueDatas[0];
      const topic = String(req.header.extFields?.["topic"]);
      if (q)
        table.set(
          topic,
          newTopicConfig(topic, { readQueueNums: q.readQueueNums, writeQueueNums: q.writeQueueNums, perm: q.perm }),
        );
    }
    if (req?.header.code === 206) {
      for (const t of decodeTopicList(Buffer.from(f.bodyText as string)).topicList)
        if (!table.has(t)) table.set(t, newTopicConfig(t));
    }
  }
  if (table.size === 0) table.set("TBW102", newTopicConfig("TBW102", { perm: 7, readQueueNums: 8, writeQueueNums: 8 }));
  const client = new RemotingClient();
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { dataVersion: { timestamp: 1, counter: 1 }, topicConfigTable: table },
    filterServerList: [],
  });
  const extFields = encodeHeader(RegisterBrokerRequestHeader, {
    brokerName: "broker-a",
    brokerAddr: "127.0.0.1:30911",
    clusterName: "DefaultCluster",
    haServerAddr: "127.0.0.1:30912",
    brokerId: 0,
    compressed: false,
    bodyCrc32: 0,
  });
  const res = await client.invokeSync(`127.0.0.1:${port}`, createRequest(103, { extFields, body }), 3000);
  expect(res.code).toBe(0);
  // keep the broker's connection open (closing it unregisters the broker)
  cleanups.push(() => client.shutdown());
}

const namesrvCommands = [...scenarios.keys()].filter((name) => {
  if (name === "broker-register" || name === "ha-replication") return false; // other broker set-up
  const frames = scenarios.get(name) as CapturedFrame[];
  return frames.some((f) => f.conn.endsWith(`->${NAMESRV_PORT}`) && f.rpcType !== "response");
});

/** Topics the capture saw both missing (17) and present: their answer depended on timing. */
function topicsCreatedDuringCapture(frames: CapturedFrame[]): Set<string> {
  const seen = new Map<string, Set<number>>();
  for (const f of frames) {
    if (f.rpcType !== "response") continue;
    const req = frames.find(
      (r) => r.conn === f.conn && r.dir !== f.dir && r.header.opaque === f.header.opaque && r.rpcType !== "response",
    );
    if (req?.header.code !== 105) continue;
    const topic = String(req.header.extFields?.["topic"]);
    seen.set(topic, new Set([...(seen.get(topic) ?? []), f.header.code]));
  }
  return new Set([...seen].filter(([, codes]) => codes.size > 1).map(([t]) => t));
}

describe("replay of every captured client's name-server traffic", () => {
  it("covers mqadmin, producers, consumers and ali-ons", () => {
    expect(namesrvCommands.length).toBeGreaterThanOrEqual(45);
    expect(namesrvCommands).toContain("ali-ons");
  });

  it.each(namesrvCommands)("%s", async (name) => {
    const frames = scenarios.get(name) as CapturedFrame[];
    const { port } = await startNamesrv();
    await registerBrokerFromCapture(port, frames);
    const exchanges = await replay(frames, NAMESRV_PORT, { host: "127.0.0.1", port });
    const timingDependent = topicsCreatedDuringCapture(frames);
    expect(exchanges.length).toBeGreaterThan(0);
    if (process.env["REPLAY_DEBUG"])
      console.log(
        name,
        exchanges
          .map((e) => `${e.request.header.code}:${e.captured ? "answered" : "oneway"}:${e.ours?.cmd.code}`)
          .join(" "),
      );
    for (const e of exchanges) {
      if (!e.captured) continue;
      if (e.request.header.code === 105 && timingDependent.has(String(e.request.header.extFields?.["topic"]))) continue;
      const where = `${name} seq ${e.request.seq} code ${e.request.header.code}`;
      const ours = e.ours?.cmd;
      expect(ours?.code, where).toBe(e.captured.header.code);
      expect(ours?.remark ?? null, where).toBe(e.captured.header.remark ?? null);
      const code = e.request.header.code;
      const oursBody = ours?.body?.toString() ?? "";
      switch (code) {
        case 105: // route: byte-identical
        case 106: // cluster info: byte-identical
        case 100:
        case 102:
          expect(e.ours?.bytes.toString(), where).toBe(Buffer.from(e.captured.frameBase64, "base64").toString());
          break;
        case 206: // topic list: same topics (Java's HashMap order is not meaningful)
          expect(new Set(decodeTopicList(ours?.body ?? null).topicList), where).toEqual(
            new Set(decodeTopicList(Buffer.from(bodyOf(e.captured))).topicList),
          );
          break;
        case 205:
        case 327: // same response header key; count = topics of broker-a here
          expect(Object.keys(ours?.extFields ?? {}), where).toEqual(Object.keys(e.captured.header.extFields ?? {}));
          break;
        case 319: {
          // same config keys (values are paths and ports of the capture machine)
          const keys = (text: string): string[] =>
            text
              .split("\n")
              .filter(Boolean)
              .map((l) => l.split("=")[0] as string)
              .sort();
          expect(keys(oursBody), where).toEqual(keys(bodyOf(e.captured)));
          break;
        }
        default:
          expect(oursBody, where).toBe(bodyOf(e.captured));
      }
    }
  });
});

describe("two name servers", () => {
  it("stay independently consistent when every broker registers with both", async () => {
    const a = await startNamesrv();
    const b = await startNamesrv();
    const frames = (scenarios.get("broker-register") as CapturedFrame[]).filter(
      (f) => f.header.code === 103 && f.dir === "c2s",
    );
    const client = new RemotingClient();
    cleanups.push(() => client.shutdown());
    for (const f of frames.slice(0, 3)) {
      for (const ns of [a, b]) {
        const req = createRequest(103, {
          extFields: f.header.extFields as Record<string, string>,
          body: Buffer.from(f.bodyText as string),
        });
        expect((await client.invokeSync(`127.0.0.1:${ns.port}`, req, 3000)).code).toBe(0);
      }
    }
    const route = async (port: number): Promise<string | undefined> =>
      (
        await client.invokeSync(`127.0.0.1:${port}`, createRequest(105, { extFields: { topic: "TBW102" } }), 3000)
      ).body?.toString();
    expect(await route(a.port)).toBe(await route(b.port));
    expect(await route(a.port)).toContain("127.0.0.1:30911");
    // one name server going away does not affect the other
    await a.controller.shutdown();
    expect(await route(b.port)).toContain("127.0.0.1:30911");
    expect(encodeFrame(createRequest(105)).length).toBeGreaterThan(0);
  });
});
