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
  javaHashMapOrder,
  RegisterBrokerRequestHeader,
  RemotingClient,
  RequestCode,
  ResponseCode,
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

describe("KV config (kvConfig.json as Java's KVConfigManager keeps it)", () => {
  const kv = (namespace: string, key: string, value?: string) => ({
    namespace,
    key,
    ...(value === undefined ? {} : { value }),
  });

  it("keeps a namespace whose last key was deleted: in the file, in GET_KVLIST_BY_NAMESPACE and in register answers", async () => {
    const { call, namesrvConfig } = await setup();
    const file = (): string => readFileSync(namesrvConfig.kvConfigPath, "utf8");
    expect((await call(RequestCode.PUT_KV_CONFIG, kv("ORDER_TOPIC_CONFIG", "OrderTopic", "broker-a:4"))).code).toBe(0);
    expect(file()).toBe('{"configTable":{"ORDER_TOPIC_CONFIG":{"OrderTopic":"broker-a:4"}}}');
    const r = registration("broker-a", "10.0.0.1:10911", ["T"]);
    expect((await call(RequestCode.REGISTER_BROKER, r.extFields, r.body)).body?.toString()).toBe(
      '{"table":{"OrderTopic":"broker-a:4"}}',
    );

    expect((await call(RequestCode.DELETE_KV_CONFIG, kv("ORDER_TOPIC_CONFIG", "OrderTopic"))).code).toBe(0);
    expect(file()).toBe('{"configTable":{"ORDER_TOPIC_CONFIG":{}}}');
    const list = await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "ORDER_TOPIC_CONFIG" });
    expect(list.code).toBe(ResponseCode.SUCCESS);
    expect(list.body?.toString()).toBe('{"table":{}}');
    expect((await call(RequestCode.REGISTER_BROKER, r.extFields, r.body)).body?.toString()).toBe('{"table":{}}');

    // a namespace never written is still unknown
    const unknown = await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "NOPE" });
    expect(unknown.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(unknown.remark).toBe("No config item, Namespace: NOPE");
    // deleting from an unknown namespace writes the file all the same, and adds nothing
    expect((await call(RequestCode.DELETE_KV_CONFIG, kv("NOPE", "k"))).code).toBe(0);
    expect(file()).toBe('{"configTable":{"ORDER_TOPIC_CONFIG":{}}}');
  });

  it("writes namespaces and keys in the order of Java's HashMap, and reads the file back", async () => {
    const { call, namesrvConfig } = await setup();
    const keys = ["zeta", "alpha", "Topic_10", "Topic_2", "m"];
    for (const key of keys) await call(RequestCode.PUT_KV_CONFIG, kv("NS_B", key, `v-${key}`));
    await call(RequestCode.PUT_KV_CONFIG, kv("NS_A", "k", "v"));
    const table = javaHashMapOrder(keys)
      .map((k) => `"${k}":"v-${k}"`)
      .join(",");
    const namespaces: Record<string, string> = { NS_A: '"NS_A":{"k":"v"}', NS_B: `"NS_B":{${table}}` };
    const expected = `{"configTable":{${javaHashMapOrder(["NS_B", "NS_A"])
      .map((ns) => namespaces[ns])
      .join(",")}}}`;
    expect(readFileSync(namesrvConfig.kvConfigPath, "utf8")).toBe(expected);
    const list = await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "NS_B" });
    expect(list.body?.toString()).toBe(`{"table":{${table}}}`);
    expect(decodeKVTable(list.body)).toEqual(new Map(keys.map((k) => [k, `v-${k}`])));
  });
});
