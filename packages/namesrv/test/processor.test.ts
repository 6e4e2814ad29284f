import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import {
  configDefaults,
  decodeClusterInfo,
  decodeKVTable,
  decodeTopicList,
  decodeTopicRouteData,
  encodeRegisterBrokerBody,
  newTopicConfig,
  parseProperties,
} from "@rocketmq-ts/common";
import {
  createRequest,
  encodeHeader,
  RegisterBrokerRequestHeader,
  RemotingClient,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { NamesrvController, namesrvConfigSpec, nettyServerConfigSpec } from "@rocketmq-ts/namesrv";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(fileProps = "") {
  const dir = mkdtempSync(join(tmpdir(), "namesrv-proc-"));
  const spec = namesrvConfigSpec({ ROCKETMQ_HOME: dir, JAVA_OPT: `-Duser.home=${dir}` });
  const namesrvConfig = configDefaults(spec);
  const configFile = join(dir, "namesrv.properties");
  writeFileSync(configFile, fileProps);
  namesrvConfig.configStorePath = configFile;
  const controller = new NamesrvController({
    namesrvConfig,
    namesrvConfigSpec: spec,
    nettyServerConfig: { ...configDefaults(nettyServerConfigSpec), listenPort: 0 },
    logger: pino({ level: "silent" }),
    bindAddress: "127.0.0.1",
    fileProperties: parseProperties(fileProps),
  });
  const port = await controller.start();
  const client = new RemotingClient();
  cleanups.push(async () => {
    await client.shutdown();
    await controller.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = (
    code: number,
    extFields: Record<string, string> | null = null,
    body: Buffer | null = null,
    version?: number,
  ) =>
    client.invokeSync(
      `127.0.0.1:${port}`,
      createRequest(code, { extFields, body, ...(version ? { version } : {}) }),
      3000,
    );
  return { controller, call, configFile, namesrvConfig };
}

function registration(
  brokerName: string,
  addr: string,
  topics: string[],
  opts: { compressed?: boolean; counter?: number; cluster?: string; brokerId?: number } = {},
) {
  const body = encodeRegisterBrokerBody(
    {
      topicConfigSerializeWrapper: {
        dataVersion: { timestamp: 42, counter: opts.counter ?? 1 },
        topicConfigTable: new Map(topics.map((t) => [t, newTopicConfig(t, { readQueueNums: 4, writeQueueNums: 4 })])),
      },
      filterServerList: [],
    },
    opts.compressed ?? false,
  );
  const extFields = encodeHeader(RegisterBrokerRequestHeader, {
    brokerName,
    brokerAddr: addr,
    clusterName: opts.cluster ?? "DefaultCluster",
    haServerAddr: addr.replace(/:\d+$/, ":10912"),
    brokerId: opts.brokerId ?? 0,
    compressed: opts.compressed ?? false,
    bodyCrc32: crc32(body) & 0x7fffffff,
  });
  return { extFields, body };
}

describe("name server request handling", () => {
  it("accepts compressed registrations (compressedRegister=true brokers)", async () => {
    const { call } = await setup();
    const r = registration("broker-z", "10.1.1.1:10911", ["CompressedTopic", "Other"], { compressed: true });
    expect((await call(103, r.extFields, r.body)).code).toBe(0);
    const route = decodeTopicRouteData((await call(105, { topic: "CompressedTopic" })).body);
    expect(route.queueDatas).toEqual([
      { brokerName: "broker-z", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
    ]);
  });

  it("writes brokerAddrs bare for old clients and quoted for >= V4_9_4 or acceptStandardJsonOnly", async () => {
    const { call } = await setup();
    const r = registration("broker-a", "10.0.0.1:10911", ["T"]);
    await call(103, r.extFields, r.body);
    expect((await call(105, { topic: "T" }, null, 317)).body?.toString()).toContain(
      '"brokerAddrs":{0:"10.0.0.1:10911"}',
    );
    expect((await call(105, { topic: "T" }, null, 409)).body?.toString()).toContain(
      '"brokerAddrs":{"0":"10.0.0.1:10911"}',
    );
    expect((await call(105, { topic: "T", acceptStandardJsonOnly: "true" }, null, 121)).body?.toString()).toContain(
      '{"0":',
    );
    expect((await call(106)).body?.toString()).toContain('"brokerAddrs":{0:"10.0.0.1:10911"}');
  });

  it("answers QUERY_DATA_VERSION with changed and the stored version", async () => {
    const { call } = await setup();
    const r = registration("broker-a", "10.0.0.1:10911", ["T"], { counter: 5 });
    await call(103, r.extFields, r.body);
    const identity = {
      brokerName: "broker-a",
      brokerAddr: "10.0.0.1:10911",
      clusterName: "DefaultCluster",
      brokerId: "0",
    };
    const same = await call(322, identity, Buffer.from('{"counter":5,"timestamp":42}'));
    expect(same.extFields).toEqual({ changed: "false" });
    expect(same.body?.toString()).toBe('{"counter":5,"timestamp":42}');
    const changed = await call(322, identity, Buffer.from('{"counter":6,"timestamp":42}'));
    expect(changed.extFields).toEqual({ changed: "true" });
  });

  it("returns order-topic config to brokers and in routes when orderMessageEnable", async () => {
    const { call, namesrvConfig } = await setup();
    await call(100, { namespace: "ORDER_TOPIC_CONFIG", key: "T", value: "broker-a:4" });
    const r = registration("broker-a", "10.0.0.1:10911", ["T"]);
    const reg = await call(103, r.extFields, r.body);
    expect(decodeKVTable(reg.body)).toEqual(new Map([["T", "broker-a:4"]]));
    expect(decodeTopicRouteData((await call(105, { topic: "T" })).body).orderTopicConf).toBeUndefined();
    namesrvConfig.orderMessageEnable = true;
    expect(decodeTopicRouteData((await call(105, { topic: "T" })).body).orderTopicConf).toBe("broker-a:4");
    const missing = await call(101, { namespace: "ORDER_TOPIC_CONFIG", key: "X" });
    expect([missing.code, missing.remark]).toEqual([22, "No config item, Namespace: ORDER_TOPIC_CONFIG Key: X"]);
    expect(decodeKVTable((await call(219, { namespace: "ORDER_TOPIC_CONFIG" })).body).get("T")).toBe("broker-a:4");
    expect((await call(219, { namespace: "NONE" })).remark).toBe("No config item, Namespace: NONE");
  });

  it("lists topics by cluster, system topics and cluster info", async () => {
    const { call } = await setup();
    for (const [name, addr, cluster, topics] of [
      ["a", "10.0.0.1:10911", "c1", ["T1", "Shared"]],
      ["b", "10.0.0.2:10911", "c2", ["T2", "Shared"]],
    ] as const) {
      const r = registration(name, addr, [...topics], { cluster });
      await call(103, r.extFields, r.body);
    }
    expect(decodeTopicList((await call(224, { cluster: "c1" })).body).topicList.sort()).toEqual(["Shared", "T1"]);
    const system = decodeTopicList((await call(304)).body);
    expect(system.topicList.sort()).toEqual(["a", "b", "c1", "c2"]);
    expect(system.brokerAddr).toMatch(/^10\.0\.0\.[12]:10911$/);
    const info = decodeClusterInfo((await call(106)).body);
    expect([...info.clusterAddrTable]).toEqual([
      ["c1", ["a"]],
      ["c2", ["b"]],
    ]);
    expect((await call(216, { topic: "Shared", clusterName: "c1" })).code).toBe(0);
    expect(
      decodeTopicRouteData((await call(105, { topic: "Shared" })).body).queueDatas.map((q) => q.brokerName),
    ).toEqual(["b"]);
  });

  it("updates config at run time, persists it, and refuses black-listed or invalid keys", async () => {
    const { call, configFile } = await setup("listenPort=0\ncustomKey=kept\n");
    const update = (text: string): Promise<RemotingCommand> => call(318, null, Buffer.from(text));
    expect((await update("orderMessageEnable=true\n")).code).toBe(0);
    expect((await call(319)).body?.toString()).toContain("orderMessageEnable=true");
    const persisted = readFileSync(configFile, "utf8");
    expect(persisted).toContain("orderMessageEnable=true");
    expect(persisted).toContain("customKey=kept");
    const black = await update("kvConfigPath=/tmp/evil\n");
    expect([black.code, black.remark]).toEqual([1, "Can not update config in black list."]);
    const invalid = await update("serverWorkerThreads=many\n");
    expect(invalid.code).toBe(1);
    expect(invalid.remark).toContain("serverWorkerThreads");
    expect((await call(319)).body?.toString()).toContain("serverWorkerThreads=8");
  });
});
