/**
 * bin/mqadmin's ACL commands and bin/benchmark's `-a true` against a real bin/mqbroker with
 * aclEnable=true (rules in <home>/conf/plain_acl.yml): mqadmin signs with conf/tools.yml as Java's
 * (the shipped file when ROCKETMQ_HOME is not set, an operator's under ROCKETMQ_HOME), or with
 * --ak/--sk; accounts created by updateAclConfig can send at once and stop at deleteAclConfig.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQProducer, Message } from "@rocketmq-ts/client";
import { runTool, startLocalCluster, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";

/** 127.0.0.1 is in no white list: every request needs a good signature. */
const RULES = `globalWhiteRemoteAddresses:
  - 10.10.103.*

accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
  - accessKey: rocketmq2
    secretKey: 12345678
    admin: true
`;
const aclRemark = (message: string, method: string, line: number): string =>
  `org.apache.rocketmq.acl.common.AclException: ${message}, ` +
  `org.apache.rocketmq.acl.plain.PlainPermissionManager.${method}(PlainPermissionManager.java:${line})`;

let cluster: LocalCluster;
let aclHome: string;
let aclFile: string;
/** A RocketMQ home with an operator's conf/tools.yml (the non-admin account). */
let toolsHome: string;
/** A RocketMQ home without conf/tools.yml. */
let bareHome: string;
const started = new StartedClients();

/** bin/mqadmin as an operator runs it: without ROCKETMQ_HOME (bin/mqadmin then uses the installation's conf/tools.yml). */
const mqadmin = (args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runTool> =>
  runTool("mqadmin", [...args, "-n", cluster.namesrvAddr], {
    NAMESRV_ADDR: "",
    ROCKETMQ_HOME: "",
    JAVA_OPT_EXT: "",
    ...env,
  });

beforeAll(async () => {
  aclHome = mkdtempSync(join(tmpdir(), "rmq-acl-mqadmin-"));
  mkdirSync(join(aclHome, "conf"));
  aclFile = join(aclHome, "conf", "plain_acl.yml");
  writeFileSync(aclFile, RULES);
  toolsHome = mkdtempSync(join(tmpdir(), "rmq-tools-home-"));
  mkdirSync(join(toolsHome, "conf"));
  writeFileSync(join(toolsHome, "conf", "tools.yml"), "accessKey: RocketMQ\nsecretKey: 12345678\n");
  bareHome = mkdtempSync(join(tmpdir(), "rmq-bare-home-"));
  cluster = await startLocalCluster("aclEnable=true", 1, [`-Drocketmq.home.dir=${aclHome}`]);
}, 60_000);

afterAll(async () => {
  await started.shutdownAll();
  await cluster?.stop();
  for (const dir of [aclHome, toolsHome, bareHome]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("bin/mqadmin against a broker with plain ACL", () => {
  it("signs with the shipped conf/tools.yml (admin rocketmq2) by default; unsigned or non-admin is refused", async () => {
    const shipped = await mqadmin(["updateTopic", "-b", cluster.brokerAddr, "-t", "AclAdminTopic"]);
    expect(shipped.stderr).toBe("");
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toMatch(/^create topic to 127\.0\.0\.1:\d+ success\.\n/);

    const unsigned = await mqadmin(["updateTopic", "-b", cluster.brokerAddr, "-t", "AclNope"], {
      ROCKETMQ_HOME: bareHome,
    });
    expect(unsigned).toMatchObject({
      code: 1,
      stderr: `updateTopic command failed: CODE: 1  DESC: ${aclRemark("No accessKey is configured", "validate", 664)}\n`,
    });

    const notAdmin = `updateTopic command failed: CODE: 1  DESC: ${aclRemark(
      "Need admin permission for request code=17, but accessKey=RocketMQ is not",
      "checkPerm",
      581,
    )}\n`;
    // the operator's tools.yml, and --ak/--sk over the shipped one
    const viaHome = await mqadmin(["updateTopic", "-b", cluster.brokerAddr, "-t", "AclNope"], {
      ROCKETMQ_HOME: toolsHome,
    });
    expect(viaHome).toMatchObject({ code: 1, stderr: notAdmin });
    const viaFlags = await mqadmin([
      "updateTopic",
      "-b",
      cluster.brokerAddr,
      "-t",
      "AclNope",
      "--ak",
      "RocketMQ",
      "--sk",
      "12345678",
    ]);
    expect(viaFlags).toMatchObject({ code: 1, stderr: notAdmin });
    // and --ak/--sk over the operator's tools.yml
    const adminOverHome = await mqadmin(
      ["updateTopic", "-b", cluster.brokerAddr, "-t", "AclAdminTopic2", "--ak", "rocketmq2", "--sk", "12345678"],
      { ROCKETMQ_HOME: toolsHome },
    );
    expect(adminOverHome).toMatchObject({ code: 0, stderr: "" });
  });

  it("updateAclConfig creates an account that can send at once; deleteAccessConfig takes it away", async () => {
    const created = await mqadmin([
      "updateAclConfig",
      "-b",
      cluster.brokerAddr,
      "-a",
      "teamA_user",
      "-s",
      "teamA_secret",
      "-i",
      "DENY",
      "-t",
      "AclAdminTopic=PUB,AclAdminTopic2=SUB",
    ]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toBe(
      `create or update plain access config to ${cluster.brokerAddr} success.\n` +
        "PlainAccessConfig{accessKey='teamA_user', whiteRemoteAddress='null', admin=false, defaultTopicPerm='DENY', " +
        "defaultGroupPerm='null', topicPerms=[AclAdminTopic=PUB, AclAdminTopic2=SUB], groupPerms=null}",
    );
    const rules = readFileSync(aclFile, "utf8");
    expect(rules).toContain("teamA_user");
    expect(rules).toContain("AclAdminTopic=PUB");

    const producer = await started.producer(cluster.namesrvAddr, "acl_team_a_pg", {
      sessionCredentials: { accessKey: "teamA_user", secretKey: "teamA_secret" },
    });
    expect((await producer.send(new Message("AclAdminTopic", Buffer.from("hello")))).sendStatus).toBe("SEND_OK");
    await expect(producer.send(new Message("AclAdminTopic2", Buffer.from("x")))).rejects.toThrow(
      aclRemark("No default permission for topic:AclAdminTopic2", "checkPerm", 611),
    );

    const deleted = await mqadmin(["deleteAccessConfig", "-c", "DefaultCluster", "-a", "teamA_user"]);
    expect(deleted).toMatchObject({
      code: 0,
      stderr: "",
      stdout: `delete plain access config account from ${cluster.brokerAddr} success.\naccount's accesskey is:teamA_user`,
    });
    expect(readFileSync(aclFile, "utf8")).not.toContain("teamA_user");
    const gone = new DefaultMQProducer({
      namesrvAddr: cluster.namesrvAddr,
      producerGroup: "acl_team_a_pg2",
      instanceName: "team-a-gone",
      sessionCredentials: { accessKey: "teamA_user", secretKey: "teamA_secret" },
      retryTimesWhenSendFailed: 0,
    });
    await gone.start();
    started.push(gone);
    await expect(gone.send(new Message("AclAdminTopic", Buffer.from("x")))).rejects.toThrow(
      aclRemark("No acl config for teamA_user", "validate", 668),
    );
  });

  it("updateGlobalWhiteAddr writes the white list of the named file; clusterAclConfigVersion shows the versions", async () => {
    const before = await mqadmin(["clusterAclConfigVersion", "-b", cluster.brokerAddr]);
    expect(before.code).toBe(0);
    const counterOf = (out: string): number => {
      const row = out.split("\n").find((l) => l.includes(aclFile)) ?? "";
      return Number(row.trim().split(/\s{2,}/)[4]);
    };
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    // Java's "%-16s  %-22s  %-22s  %-20s  %-22s  %-22s%n": the path is longer than its column
    const lead = `${"DefaultCluster".padEnd(16)}  ${"broker-a".padEnd(22)}  ${cluster.brokerAddr.padEnd(22)}  ${aclFile}  `;
    const row = new RegExp(`^${escape(lead)}\\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +$`, "m");
    expect(before.stdout).toMatch(row);
    expect(before.stdout.endsWith("get broker's plain access config version success.\n")).toBe(true);

    const updated = await mqadmin([
      "updateGlobalWhiteAddr",
      "-c",
      "DefaultCluster",
      "-g",
      "10.10.103.*,192.168.0.*",
      "-p",
      aclFile,
    ]);
    expect(updated).toMatchObject({
      code: 0,
      stderr: "",
      stdout: `update global white remote addresses to ${cluster.brokerAddr} success.\n`,
    });
    expect(readFileSync(aclFile, "utf8")).toContain("192.168.0.*");

    const after = await mqadmin(["clusterAclConfigVersion", "-c", "DefaultCluster"]);
    expect(after.code).toBe(0);
    const lines = after.stdout.split("\n");
    expect(lines[0]).toBe(
      "#Cluster Name     #Broker Name            #Broker Addr            #AclFilePath          #AclConfigVersionNum    #AclLastUpdateTime    ",
    );
    expect(after.stdout).toMatch(row);
    expect(after.stdout.endsWith("get cluster's plain access config version success.\n")).toBe(true);
    expect(counterOf(after.stdout)).toBeGreaterThan(counterOf(before.stdout));
  });
});

describe("bin/benchmark -a true against a broker with plain ACL", () => {
  const benchmark = (...args: string[]): ReturnType<typeof runTool> => runTool("benchmark", args, { NAMESRV_ADDR: "" });

  it("producer and consumer sign as rocketmq2 / 12345678 by default; batchproducer with -c/-e", async () => {
    const topicMade = await mqadmin(["updateTopic", "-b", cluster.brokerAddr, "-t", "AclBench", "-r", "2", "-w", "2"]);
    expect(topicMade.code).toBe(0);
    const p = await benchmark(
      "producer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "AclBench",
      "-w",
      "4",
      "-q",
      "200",
      "-a",
      "true",
    );
    expect(p.stdout).toContain("aclEnable: true");
    expect(p.stdout).toMatch(/^\[Complete\] Send Total: 200 .*Send Failed: 0 Response Failed: 0$/m);

    const b = await benchmark(
      "batchproducer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "AclBench",
      "-w",
      "2",
      "-b",
      "4",
      "-a",
      "true",
      "-c",
      "rocketmq2",
      "-e",
      "12345678",
      "--duration",
      "3",
      "--json",
    );
    expect(b.code).toBe(0);
    const batch = JSON.parse(b.stdout.split("\n").find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    expect(batch["sendMessageOk"]).toBeGreaterThan(0);
    expect(Object.entries(batch).filter(([k, v]) => /fail/i.test(k) && v !== 0)).toEqual([]);

    const c = await benchmark(
      "consumer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "AclBench",
      "-g",
      "acl_bench_cg",
      "-a",
      "true",
      "--until",
      "200",
      "--duration",
      "40",
      "--json",
    );
    expect(c.code).toBe(0);
    const consumed = JSON.parse(c.stdout.split("\n").find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    expect(consumed["consumeTotal"]).toBeGreaterThanOrEqual(200);
  }, 90_000);
});
