/** bin/mqbroker as a process: flags, the shipped templates, config errors, and bad requests. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRequest, RemotingClient } from "@rocketmq-ts/remoting";
import {
  freeBrokerPort,
  ROOT,
  run,
  startLocalCluster,
  until,
  type LocalCluster,
  type Proc,
} from "./support/cluster.js";
import { sendMessageV1Fields } from "./support/sendHeader.js";

const procs: Proc[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (procs.length) await procs.pop()?.stop();
  while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
});

function home(): string {
  const d = mkdtempSync(join(tmpdir(), "mqbroker-e2e-"));
  dirs.push(d);
  return d;
}

describe("bin/mqbroker start-up", () => {
  it("prints usage, all config items (-p) and important ones (-m)", async () => {
    const h = home();
    const help = run("mqbroker", ["-h"], h);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/^usage: mqbroker \[-c <arg>\] \[-h\] \[-m\] \[-n <arg>\] \[-p\]/);
    const all = run("mqbroker", ["-p", "-c", join(ROOT, "conf", "broker.conf")], h);
    expect(await all.exited).toBe(0);
    const keys = all
      .stdout()
      .trim()
      .split("\n")
      .map((l) => l.replace(/^.* INFO main - /, "").split("=")[0]);
    for (const k of ["brokerName", "listenPort", "clientWorkerThreads", "mappedFileSizeCommitLog", "flushDiskType"])
      expect(keys).toContain(k);
    expect(all.stdout()).toContain("INFO main - brokerName=broker-a");
    expect(all.stdout()).toContain(`INFO main - storePathRootDir=${join(h, "store")}`);
    const important = run("mqbroker", ["-m"], h);
    expect(await important.exited).toBe(0);
    expect(important.stdout()).toContain("brokerRole=ASYNC_MASTER");
    expect(important.stdout()).not.toContain("clientWorkerThreads");
  });

  it("starts from each shipped template (ports changed only), warns about obsolete keys, stops on SIGTERM", async () => {
    for (const template of ["broker.conf", "2m-noslave/broker-a.properties", "2m-noslave/broker-b.properties"]) {
      const h = home();
      const port = await freeBrokerPort();
      const conf = join(h, "broker.properties");
      writeFileSync(
        conf,
        `${readFileSync(join(ROOT, "conf", template), "utf8")}\nlistenPort=${port}\nbrokerIP1=127.0.0.1\nmapedFileSizeCommitLog=1073741824\nmappedFileSizeCommitLog=16777216\n`,
      );
      const broker = run("mqbroker", ["-c", conf], h);
      procs.push(broker);
      await until(
        () => broker.stdout().includes("boot success") || broker.child.exitCode !== null,
        20_000,
        `${template} boot`,
      );
      const name = /brokerName=(\S+)/.exec(readFileSync(conf, "utf8"))?.[1];
      expect(broker.stdout()).toBe(`The broker[${name}, 127.0.0.1:${port}] boot success. serializeType=JSON\n`);
      expect(broker.stderr()).toContain("obsolete config key 'mapedFileSizeCommitLog'");
      expect(await broker.stop()).toBe(0);
      const logs = join(h, "logs", "rocketmqlogs");
      // logback's `%d{yyy-MM-dd HH:mm:ss} %p %t - %m` lines, each logger in its own file as in Java
      expect(readFileSync(join(logs, "broker.log"), "utf8")).toMatch(
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO main - Shutdown hook over, the cost time\(ms\): \d+$/m,
      );
      expect(readFileSync(join(logs, "store.log"), "utf8")).toMatch(/ INFO main - load commit log OK/);
      expect(readFileSync(join(logs, "transaction.log"), "utf8")).toContain("Start transaction check service thread!");
    }
  }, 60_000);

  it("refuses a second broker on the same store directory (fcntl lock, as Java)", async () => {
    const h = home();
    const write = async (name: string): Promise<string> => {
      const conf = join(h, name);
      writeFileSync(
        conf,
        `brokerName=b\nlistenPort=${await freeBrokerPort()}\nbrokerIP1=127.0.0.1\nstorePathRootDir=${join(h, "store")}\n`,
      );
      return conf;
    };
    const first = run("mqbroker", ["-c", await write("one.properties")], h);
    procs.push(first);
    await until(() => first.stdout().includes("boot success"), 20_000, "first broker");
    const second = run("mqbroker", ["-c", await write("two.properties")], h);
    expect(await second.exited).not.toBe(0);
    expect(second.stderr()).toContain("Lock failed,MQ already started");
    expect(readFileSync(join(h, "store", "lock"), "utf8")).toBe("lock");
  }, 60_000);

  it("refuses an invalid value naming the key, and a slave without brokerId", async () => {
    const h = home();
    const bad = join(h, "bad.properties");
    writeFileSync(bad, "brokerRole=MASTER\n");
    const p1 = run("mqbroker", ["-c", bad], h);
    expect(await p1.exited).not.toBe(0);
    expect(p1.stderr()).toContain("brokerRole");
    writeFileSync(bad, "brokerRole=SLAVE\nbrokerId=0\n");
    const p2 = run("mqbroker", ["-c", bad], h);
    expect(await p2.exited).not.toBe(0);
    expect(p2.stdout()).toContain("Slave's brokerId must be > 0");
    const p3 = run("mqbroker", ["-n", "not-an-address"], h);
    expect(await p3.exited).not.toBe(0);
    expect(p3.stdout()).toContain("The Name Server Address[not-an-address] illegal");
  });
});

describe("bad requests to a running broker", () => {
  let cluster: LocalCluster;
  const client = new RemotingClient();
  beforeAll(async () => {
    cluster = await startLocalCluster("maxMessageSize=1024\nautoCreateTopicEnable=false");
  }, 60_000);
  afterAll(async () => {
    await client.shutdown();
    await cluster?.stop();
  });

  const send = (fields: Record<string, string>, body = Buffer.from("x")) =>
    client.invokeSync(
      cluster.brokerAddr,
      createRequest(10, {
        extFields: sendMessageV1Fields({ a: "pg", b: "T1", ...fields }),
        body,
      }),
      5000,
    );

  it("answers with Java's codes and keeps serving", async () => {
    // unknown topic with auto-creation off
    const unknown = await send({ b: "NoSuchTopic" });
    expect(unknown.code).toBe(17);
    expect(unknown.remark).toContain("topic[NoSuchTopic] not exist, apply first please!");
    expect(unknown.extFields?.["MSG_REGION"]).toBe("DefaultRegion");
    // illegal topic name
    expect((await send({ b: "bad topic!" })).code).toBe(1);
    // forbidden system topic
    expect((await send({ b: "SCHEDULE_TOPIC_XXXX" })).code).toBe(16);
    // create T1 then: bad queue id, oversize body
    const create = await client.invokeSync(
      cluster.brokerAddr,
      createRequest(17, {
        extFields: {
          topic: "T1",
          defaultTopic: "TBW102",
          readQueueNums: "2",
          writeQueueNums: "2",
          perm: "6",
          topicFilterType: "SINGLE_TAG",
        },
      }),
      5000,
    );
    expect(create.code).toBe(0);
    const badQueue = await send({ e: "9" });
    expect(badQueue.code).toBe(1);
    expect(badQueue.remark).toContain("request queueId[9] is illegal");
    expect((await send({}, Buffer.alloc(2000))).code).toBe(13);
    // missing required header field, unknown code, malformed pull
    const missing = await client.invokeSync(
      cluster.brokerAddr,
      createRequest(10, { extFields: { topic: "T1" } }),
      5000,
    );
    expect(missing.code).toBe(1);
    expect(missing.remark).toContain("the custom field <producerGroup> is null");
    expect((await client.invokeSync(cluster.brokerAddr, createRequest(4242), 5000)).code).toBe(3);
    const pull = await client.invokeSync(
      cluster.brokerAddr,
      createRequest(11, {
        extFields: {
          consumerGroup: "g",
          topic: "T1",
          queueId: "7",
          queueOffset: "0",
          maxMsgNums: "32",
          sysFlag: "6",
          commitOffset: "0",
          suspendTimeoutMillis: "1000",
          subVersion: "0",
          subscription: "*",
        },
      }),
      5000,
    );
    expect(pull.code).toBe(1);
    // still fine
    const ok = await send({});
    expect(ok.code).toBe(0);
    expect(ok.extFields?.["queueOffset"]).toBe("0");
  });
});
