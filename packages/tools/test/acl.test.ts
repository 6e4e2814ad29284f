/**
 * The plain-ACL commands of mqadmin 4.9.8 (updateAclConfig, deleteAclConfig / deleteAccessConfig,
 * clusterAclConfigVersion, updateGlobalWhiteAddr): options, what they ask the admin client, Java's
 * outputs; and what every mqadmin invocation signs with (conf/tools.yml, or --ak/--sk).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MQClientException, type ClusterAclVersionInfo, type PlainAccessConfig } from "@rocketmq-ts/client";
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import type { ToolProducerConfig } from "../src/command/MQAdminExt.js";
import { formatDate } from "../src/format.js";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";

const env = { NAMESRV_ADDR: "127.0.0.1:9876" };
const UNKNOWN = "[error] Make sure the specified clusterName exists or the name server connected to is correct.";

/** Cluster C: broker set b-1 (master m1, slave s1), b-2 (master m2 only). */
const cluster = {
  clusterAddrTable: new Map([["C", ["b-1", "b-2"]]]),
  brokerAddrTable: new Map([
    [
      "b-1",
      {
        cluster: "C",
        brokerName: "b-1",
        brokerAddrs: new Map([
          [0, "10.0.0.1:10911"],
          [1, "10.0.0.11:10911"],
        ]),
      },
    ],
    ["b-2", { cluster: "C", brokerName: "b-2", brokerAddrs: new Map([[0, "10.0.0.2:10911"]]) }],
  ]),
};
const examineBrokerClusterInfo = async (): Promise<typeof cluster> => cluster;
/**
 * Java's CommandUtil fills a HashSet walking the cluster's broker names (a HashSet too) and each
 * set's addresses by id: the set's order.
 */
const hashSetOf = (withSlaves: boolean): string[] =>
  javaHashMapOrder(
    javaHashMapOrder(["b-1", "b-2"]).flatMap((name) => {
      const addrs = cluster.brokerAddrTable.get(name)?.brokerAddrs ?? new Map<number, string>();
      return withSlaves ? [...addrs.values()] : [addrs.get(0) as string];
    }),
  );
const ALL = hashSetOf(true);
const MASTERS = hashSetOf(false);

describe("updateAclConfig", () => {
  it("-b: sends the account as given and prints Java's lines", async () => {
    const calls: [string, PlainAccessConfig][] = [];
    const admin = fakeAdmin({
      createAndUpdatePlainAccessConfig: async (addr, config) => void calls.push([addr, config]),
    });
    const r = await runWith(
      [
        "updateAclConfig",
        "-b",
        "10.0.0.1:10911",
        "-a",
        " RocketMQ ",
        "-s",
        "1234567",
        "-w",
        "192.168.0.*",
        "-i",
        "DENY",
        "-u",
        "SUB",
        "-t",
        "topicA=DENY,topicB=PUB|SUB",
        "-g",
        "groupA=SUB",
        "-m",
        "TRUE",
      ],
      admin,
      {},
      env,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(calls).toEqual([
      [
        "10.0.0.1:10911",
        {
          accessKey: "RocketMQ",
          secretKey: "1234567",
          whiteRemoteAddress: "192.168.0.*",
          admin: true,
          defaultTopicPerm: "DENY",
          defaultGroupPerm: "SUB",
          topicPerms: ["topicA=DENY", "topicB=PUB|SUB"],
          groupPerms: ["groupA=SUB"],
        },
      ],
    ]);
    expect(r.stdout).toBe(
      "create or update plain access config to 10.0.0.1:10911 success.\n" +
        "PlainAccessConfig{accessKey='RocketMQ', whiteRemoteAddress='192.168.0.*', admin=true, defaultTopicPerm='DENY', " +
        "defaultGroupPerm='SUB', topicPerms=[topicA=DENY, topicB=PUB|SUB], groupPerms=[groupA=SUB]}",
    );
  });

  it("leaves unset what is not given; -t split as Java's String.split", async () => {
    const calls: PlainAccessConfig[] = [];
    const admin = fakeAdmin({ createAndUpdatePlainAccessConfig: async (_addr, config) => void calls.push(config) });
    const r = await runWith(
      ["updateAclConfig", "-b", "b:1", "-a", "ak1234567", "-s", "sk1234567", "-t", "a=SUB,,b=PUB,,"],
      admin,
      {},
      env,
    );
    expect(r.code).toBe(0);
    expect(calls[0]).toEqual({
      accessKey: "ak1234567",
      secretKey: "sk1234567",
      admin: false,
      topicPerms: ["a=SUB", "", "b=PUB"],
    });
    expect(r.stdout).toBe(
      "create or update plain access config to b:1 success.\n" +
        "PlainAccessConfig{accessKey='ak1234567', whiteRemoteAddress='null', admin=false, defaultTopicPerm='null', " +
        "defaultGroupPerm='null', topicPerms=[a=SUB, , b=PUB], groupPerms=null}",
    );
  });

  it("-c: every master and slave of the cluster, in Java's HashSet order", async () => {
    const addrs: string[] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo,
      createAndUpdatePlainAccessConfig: async (addr) => void addrs.push(addr),
    });
    const r = await runWith(["updateAclConfig", "-c", "C", "-a", "RocketMQ", "-s", "12345678"], admin, {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(addrs).toEqual(ALL);
    expect(r.stdout).toBe(
      ALL.map((a) => `create or update plain access config to ${a} success.\n`).join("") +
        "PlainAccessConfig{accessKey='RocketMQ', whiteRemoteAddress='null', admin=false, defaultTopicPerm='null', " +
        "defaultGroupPerm='null', topicPerms=null, groupPerms=null}",
    );
  });

  it("an unknown cluster prints Java's [error] line and changes nothing", async () => {
    const admin = fakeAdmin({ examineBrokerClusterInfo });
    const r = await runWith(["updateAclConfig", "-c", "Nope", "-a", "RocketMQ", "-s", "12345678"], admin, {}, env);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`${UNKNOWN}PlainAccessConfig{accessKey='RocketMQ'`)).toBe(true);
  });

  it("needs -a and -s, and exactly one of -b and -c, before anything is sent", async () => {
    const admin = fakeAdmin({});
    expect(await runWith(["updateAclConfig", "-b", "b:1", "-a", "RocketMQ"], admin, {}, env)).toMatchObject({
      code: 1,
      stderr: "error: required option '-s, --secretKey <arg>' not specified\n",
      namesrvAddr: undefined,
    });
    expect(await runWith(["updateAclConfig", "-a", "RocketMQ", "-s", "12345678"], admin, {}, env)).toMatchObject({
      code: 1,
      stderr: "error: one of the options '-b, --brokerAddr <arg>', '-c, --clusterName <arg>' is required\n",
      namesrvAddr: undefined,
    });
    expect(
      await runWith(["updateAclConfig", "-b", "b:1", "-c", "C", "-a", "RocketMQ", "-s", "12345678"], admin, {}, env),
    ).toMatchObject({
      code: 1,
      stderr: "error: option '-b, --brokerAddr <arg>' cannot be used with option '-c, --clusterName <arg>'\n",
      namesrvAddr: undefined,
    });
  });

  it("a broker's refusal fails the command with its code and remark", async () => {
    const remark = "The accesskey[RocketMQ] corresponding to accessConfig has been updated failed.";
    const admin = fakeAdmin({
      createAndUpdatePlainAccessConfig: () => Promise.reject(new MQClientException(209, remark)),
    });
    const r = await runWith(["updateAclConfig", "-b", "b:1", "-a", "RocketMQ", "-s", "12345678"], admin, {}, env);
    expect(r).toMatchObject({
      code: 1,
      stdout: "",
      stderr: `updateAclConfig command failed: CODE: 209  DESC: ${remark}\n`,
    });
  });

  it("help lists Java's options and descriptions", async () => {
    const r = await runWith(["help", "updateAclConfig"], fakeAdmin({}));
    expect(r.code).toBe(0);
    for (const line of [
      "Usage: mqadmin updateAclConfig [options]",
      "-b, --brokerAddr <arg>",
      "update acl config file to which broker",
      "-c, --clusterName <arg>",
      "update acl config file to which cluster",
      "set accessKey in acl config file",
      "set secretKey in acl config file",
      "set white ip Address for account in acl config file",
      "set default topicPerm in acl config file",
      "set default GroupPerm in acl config file",
      "set topicPerms list,eg: topicA=DENY,topicD=SUB",
      "set groupPerms list,eg: groupD=DENY,groupD=SUB",
      "set admin flag in acl config file",
      "--ak <accessKey>",
      "--sk <secretKey>",
    ]) {
      expect(r.stdout.replace(/\s+/g, " ")).toContain(line);
    }
  });
});

describe("deleteAclConfig (alias deleteAccessConfig)", () => {
  it("-b: deletes the account and prints Java's lines (the last without a line end)", async () => {
    for (const name of ["deleteAclConfig", "deleteAccessConfig"]) {
      const calls: [string, string][] = [];
      const admin = fakeAdmin({ deletePlainAccessConfig: async (addr, ak) => void calls.push([addr, ak]) });
      const r = await runWith([name, "-b", "b:1", "-a", "RocketMQ"], admin, {}, env);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      expect(calls).toEqual([["b:1", "RocketMQ"]]);
      expect(r.stdout).toBe("delete plain access config account from b:1 success.\naccount's accesskey is:RocketMQ");
    }
  });

  it("-c: from every master and slave", async () => {
    const addrs: string[] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo,
      deletePlainAccessConfig: async (addr) => void addrs.push(addr),
    });
    const r = await runWith(["deleteAccessConfig", "-c", "C", "-a", "RocketMQ"], admin, {}, env);
    expect(addrs).toEqual(ALL);
    expect(r.stdout).toBe(
      ALL.map((a) => `delete plain access config account from ${a} success.\n`).join("") +
        "account's accesskey is:RocketMQ",
    );
  });

  it("help by the alias names the command", async () => {
    const r = await runWith(["help", "deleteAccessConfig"], fakeAdmin({}));
    expect(r.stdout).toContain("Usage: mqadmin deleteAclConfig [options]");
    expect(r.stdout.replace(/\s+/g, " ")).toContain("set accessKey in acl config file for deleting which account");
  });
});

describe("updateGlobalWhiteAddr", () => {
  it("-b with and without -p", async () => {
    const calls: [string, string, string | undefined][] = [];
    const admin = fakeAdmin({
      updateGlobalWhiteAddrConfig: async (addr, list, path) => void calls.push([addr, list, path]),
    });
    const a = await runWith(["updateGlobalWhiteAddr", "-b", "b:1", "-g", "10.10.103.*,192.168.0.*"], admin, {}, env);
    const b = await runWith(
      ["updateGlobalWhiteAddr", "-b", "b:1", "-g", "10.10.103.*", "-p", "/opt/rmq/conf/acl/a.yml"],
      admin,
      {},
      env,
    );
    expect(calls).toEqual([
      ["b:1", "10.10.103.*,192.168.0.*", undefined],
      ["b:1", "10.10.103.*", "/opt/rmq/conf/acl/a.yml"],
    ]);
    expect(a.stdout).toBe("update global white remote addresses to b:1 success.\n");
    expect(b.stdout).toBe("update global white remote addresses to b:1 success.\n");
  });

  it("-c: every master and slave; -g is required", async () => {
    const addrs: string[] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo,
      updateGlobalWhiteAddrConfig: async (addr) => void addrs.push(addr),
    });
    const r = await runWith(["updateGlobalWhiteAddr", "-c", "C", "-g", "10.10.103.*"], admin, {}, env);
    expect(addrs).toEqual(ALL);
    expect(r.stdout).toBe(ALL.map((x) => `update global white remote addresses to ${x} success.\n`).join(""));
    expect(await runWith(["updateGlobalWhiteAddr", "-c", "C"], admin, {}, env)).toMatchObject({
      code: 1,
      stderr: "error: required option '-g, --globalWhiteRemoteAddresses <arg>' not specified\n",
    });
  });
});

describe("clusterAclConfigVersion", () => {
  const info = (addr: string): ClusterAclVersionInfo => ({
    brokerName: addr === "10.0.0.1:10911" ? "b-1" : "b-2",
    brokerAddr: addr,
    clusterName: "C",
    aclConfigDataVersion: { counter: 2, timestamp: 1764930000000 },
    allAclConfigDataVersion: new Map([
      ["/opt/rmq/conf/plain_acl.yml", { counter: 2, timestamp: 1764930000000 }],
      ["/opt/rmq/conf/acl/a.yml", { counter: 0, timestamp: 1764930001000 }],
    ]),
  });
  const row = (i: ClusterAclVersionInfo, file: string, counter: number, ts: number): string =>
    `${i.clusterName.padEnd(16)}  ${i.brokerName.padEnd(22)}  ${i.brokerAddr.padEnd(22)}  ${file.padEnd(20)}  ` +
    `${String(counter).padEnd(22)}  ${formatDate(ts, false).padEnd(22)}\n`;
  const rows = (addr: string): string =>
    row(info(addr), "/opt/rmq/conf/plain_acl.yml", 2, 1764930000000) +
    row(info(addr), "/opt/rmq/conf/acl/a.yml", 0, 1764930001000);

  it("-b: one line per ACL file, then Java's success line", async () => {
    const admin = fakeAdmin({ examineBrokerClusterAclVersionInfo: async (addr) => info(addr) });
    const r = await runWith(["clusterAclConfigVersion", "-b", "10.0.0.1:10911"], admin, {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(`${rows("10.0.0.1:10911")}get broker's plain access config version success.\n`);
  });

  it("-c: the heading, then the masters only", async () => {
    const asked: string[] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo,
      examineBrokerClusterAclVersionInfo: async (addr) => {
        asked.push(addr);
        return info(addr);
      },
    });
    const r = await runWith(["clusterAclConfigVersion", "-c", "C"], admin, {}, env);
    expect(asked).toEqual(MASTERS);
    expect(r.stdout).toBe(
      `${"#Cluster Name".padEnd(16)}  ${"#Broker Name".padEnd(22)}  ${"#Broker Addr".padEnd(22)}  ` +
        `${"#AclFilePath".padEnd(20)}  ${"#AclConfigVersionNum".padEnd(22)}  ${"#AclLastUpdateTime".padEnd(22)}\n` +
        MASTERS.map(rows).join("") +
        "get cluster's plain access config version success.\n",
    );
  });
});

describe("what mqadmin signs with", () => {
  const homes: string[] = [];
  afterAll(() => {
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });
  const home = (toolsYml?: string): string => {
    const dir = mkdtempSync(join(tmpdir(), "mqadmin-home-"));
    homes.push(dir);
    if (toolsYml !== undefined) {
      mkdirSync(join(dir, "conf"));
      writeFileSync(join(dir, "conf", "tools.yml"), toolsYml);
    }
    return dir;
  };
  const topicList = fakeAdmin({ fetchAllTopicList: async () => ["T"] });

  it("conf/tools.yml under ROCKETMQ_HOME or -Drocketmq.home.dir, as Java's mqadmin", async () => {
    const withKeys = home("# ours\naccessKey: rocketmq2\nsecretKey: 12345678\n");
    const other = home("accessKey: fromProperty\nsecretKey: secret99\n");
    expect(await runWith(["topicList"], topicList, {}, { ...env, ROCKETMQ_HOME: withKeys })).toMatchObject({
      code: 0,
      stdout: "T\n",
      credentials: { accessKey: "rocketmq2", secretKey: "12345678" },
    });
    const viaProperty = await runWith(
      ["topicList"],
      topicList,
      {},
      {
        ...env,
        ROCKETMQ_HOME: withKeys,
        JAVA_OPT_EXT: `-Drocketmq.home.dir=${other}`,
      },
    );
    expect(viaProperty.credentials).toEqual({ accessKey: "fromProperty", secretKey: "secret99" });
  });

  it("signs nothing without a home, without the file, or when a key is blank", async () => {
    for (const e of [
      env,
      { ...env, ROCKETMQ_HOME: home() },
      { ...env, ROCKETMQ_HOME: home("accessKey: rocketmq2\nsecretKey:\n") },
      { ...env, ROCKETMQ_HOME: home("") },
    ]) {
      const r = await runWith(["topicList"], topicList, {}, e);
      expect(r).toMatchObject({ code: 0, stdout: "T\n" });
      expect(r.credentials).toBeUndefined();
    }
  });

  it("--ak/--sk take the place of conf/tools.yml for one invocation, on any command", async () => {
    const e = { ...env, ROCKETMQ_HOME: home("accessKey: rocketmq2\nsecretKey: 12345678\n") };
    const r = await runWith(["topicList", "--ak", "RocketMQ", "--sk", "87654321"], topicList, {}, e);
    expect(r).toMatchObject({ code: 0, credentials: { accessKey: "RocketMQ", secretKey: "87654321" } });
    // on updateAclConfig, -a/-s stay the account's
    const calls: PlainAccessConfig[] = [];
    const admin = fakeAdmin({ createAndUpdatePlainAccessConfig: async (_a, c) => void calls.push(c) });
    const u = await runWith(
      ["updateAclConfig", "-b", "b:1", "-a", "newUser1", "-s", "newSecret1", "--ak", "rocketmq2", "--sk", "12345678"],
      admin,
      {},
      env,
    );
    expect(u).toMatchObject({ code: 0, credentials: { accessKey: "rocketmq2", secretKey: "12345678" } });
    expect(calls[0]).toMatchObject({ accessKey: "newUser1", secretKey: "newSecret1" });
  });

  it("--ak without --sk (or the other way round) is refused before anything is sent", async () => {
    for (const argv of [
      ["topicList", "--ak", "RocketMQ"],
      ["topicList", "--sk", "12345678"],
      ["topicList", "--ak", "", "--sk", "12345678"],
    ]) {
      expect(await runWith(argv, topicList, {}, env)).toMatchObject({
        code: 1,
        stdout: "",
        stderr: "error: options '--ak <accessKey>' and '--sk <secretKey>' go together, neither empty\n",
        namesrvAddr: undefined,
      });
    }
  });

  it("producers a command starts sign with the same credentials", async () => {
    const configs: ToolProducerConfig[] = [];
    const admin = fakeAdmin({ namesrvAddrList: () => ["127.0.0.1:9876"] });
    await runWith(
      ["sendMessage", "-t", "T", "-p", "hello", "--ak", "RocketMQ", "--sk", "12345678"],
      admin,
      {
        newProducer: (config) => {
          configs.push(config);
          throw new Error("no producer here");
        },
      },
      env,
    );
    expect(configs[0]?.sessionCredentials).toEqual({ accessKey: "RocketMQ", secretKey: "12345678" });
  });
});
