/**
 * SQL92 property filtering on a real broker (enablePropertyFilter=true): 10,000 sends with random
 * properties, our push consumer and ali-ons each receive exactly what an oracle written here
 * selects; bad expressions and a broker without the feature are refused at start with Java's codes;
 * the captured Java SqlFilterConsumer gets the Java broker's answers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQPushConsumer, Message, MessageSelector, MQAdminClient, MQClientException } from "@rocketmq-ts/client";
import { buildSqlSubscriptionData, decodeRecordAt, encodeHeartbeatData, newTopicConfig } from "@rocketmq-ts/common";
import { createRequest, RemotingClient, RequestCode } from "@rocketmq-ts/remoting";
import { closeAliConsumer, httpclient, ons } from "./support/alions.js";
import { startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";
import { loadScenarios, type CapturedFrame } from "./support/corpus.js";
import { replay } from "./support/replay.js";

let cluster: LocalCluster;
let admin: MQAdminClient;
const started = new StartedClients();

beforeAll(async () => {
  cluster = await startLocalCluster("enablePropertyFilter=true");
  admin = new MQAdminClient({ namesrvAddr: cluster.namesrvAddr });
}, 60_000);

afterAll(async () => {
  await started.shutdownAll();
  await admin?.remoting.shutdown();
  await cluster?.stop();
});

/** Deterministic pseudo-random numbers (the run is reproducible). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

type Props = Partial<Record<"a" | "b" | "c", string>>;

const EXPR_OURS = "a BETWEEN 5 AND 10 AND b IN ('x', 'y')";
/** Java's rules for EXPR_OURS: a compared as an Integer (all values are integers here), b by string. */
const oracleOurs = (p: Props): boolean =>
  p.a !== undefined && Number(p.a) >= 5 && Number(p.a) <= 10 && (p.b === "x" || p.b === "y");

const EXPR_ALIONS = "(c > 2.5 OR b = 'z') AND a IS NOT NULL";
/** OR is TRUE if either side is TRUE; a missing c or b makes that side null, never TRUE. */
const oracleAlions = (p: Props): boolean =>
  p.a !== undefined && ((p.c !== undefined && Number(p.c) > 2.5) || p.b === "z");

describe("SQL92 subscriptions", () => {
  it("deliver exactly the matching messages of 10,000 sends with random properties (our client and ali-ons)", async () => {
    const topic = "SqlRandom";
    await admin.createAndUpdateTopicConfig(
      cluster.brokerAddr,
      newTopicConfig(topic, { readQueueNums: 4, writeQueueNums: 4 }),
    );
    const ours = new Set<string>();
    const c = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "sql-ours",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    c.subscribe(topic, MessageSelector.bySql(EXPR_OURS));
    c.registerMessageListener((msgs) => {
      for (const m of msgs) ours.add(m.properties.get("KEYS") ?? "");
      return "CONSUME_SUCCESS";
    });
    await c.start();
    started.push(c);

    const alions = new ons.Consumer({
      httpclient,
      consumerGroup: "sql-alions",
      nameSrv: cluster.namesrvAddr,
      clientIP: "127.0.0.1",
      accessKeyId: "k",
      accessKeySecret: "s",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    alions.on("error", () => undefined);
    const theirs = new Set<string>();
    alions.subscribe(topic, { expressionType: "SQL92", subString: EXPR_ALIONS }, async (msg) => {
      theirs.add(msg.properties["KEYS"] ?? "");
    });
    await alions.ready();
    started.push({ shutdown: () => closeAliConsumer(alions) });

    const p = await started.producer(cluster.namesrvAddr, "sql-p");
    const rnd = lcg(20261123);
    const sent = new Map<string, Props>();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 10_000; i++) {
      const props: Props = {};
      if (rnd() < 0.9) props.a = String(Math.floor(rnd() * 16));
      const b = pick(["x", "y", "z", "w", undefined]);
      if (b !== undefined) props.b = b;
      if (rnd() < 0.7) props.c = (rnd() * 5).toFixed(2);
      const key = `k${i}`;
      sent.set(key, props);
      const msg = new Message(topic, Buffer.from(`m${i}`), { keys: key });
      for (const [k, v] of Object.entries(props)) msg.putUserProperty(k, v);
      jobs.push(p.sendAsync(msg));
      if (jobs.length >= 64) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    const wantOurs = [...sent].filter(([, v]) => oracleOurs(v)).map(([k]) => k);
    const wantTheirs = [...sent].filter(([, v]) => oracleAlions(v)).map(([k]) => k);
    expect(wantOurs.length).toBeGreaterThan(500);
    expect(wantTheirs.length).toBeGreaterThan(2000);
    await until(() => ours.size >= wantOurs.length && theirs.size >= wantTheirs.length, 90_000, "all matches");
    await new Promise((r) => setTimeout(r, 2000));
    expect([...ours].sort()).toEqual(wantOurs.sort());
    expect([...theirs].sort()).toEqual(wantTheirs.sort());
  }, 180_000);

  it("a bad expression, or a broker without enablePropertyFilter, refuses the consumer at start with Java's code", async () => {
    const bad = new DefaultMQPushConsumer({ namesrvAddr: cluster.namesrvAddr, consumerGroup: "sql-bad" });
    bad.subscribe("SqlRandom", MessageSelector.bySql("'abc' > a"));
    bad.registerMessageListener(() => "CONSUME_SUCCESS");
    const err = await bad.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MQClientException);
    expect((err as MQClientException).responseCode).toBe(23); // SUBSCRIPTION_PARSE_FAILED
    expect((err as Error).message).toContain("Value ''abc'' cannot be compared.");

    await admin.updateBrokerConfig(cluster.brokerAddr, new Map([["enablePropertyFilter", "false"]]));
    try {
      const off = new DefaultMQPushConsumer({ namesrvAddr: cluster.namesrvAddr, consumerGroup: "sql-off" });
      off.subscribe("SqlRandom", MessageSelector.bySql("a > 1"));
      off.registerMessageListener(() => "CONSUME_SUCCESS");
      const e2 = await off.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect((e2 as MQClientException).responseCode).toBe(1);
      expect((e2 as Error).message).toContain("The broker does not support consumer to filter message by SQL92");
    } finally {
      await admin.updateBrokerConfig(cluster.brokerAddr, new Map([["enablePropertyFilter", "true"]]));
    }
  }, 60_000);

  it("a client that skips the check and heartbeats a bad expression gets FILTER_DATA_NOT_EXIST (27) on pulls", async () => {
    // what ali-ons does: no CHECK_CLIENT_CONFIG, the subscription only in the heartbeat
    const client = new RemotingClient();
    try {
      const sub = buildSqlSubscriptionData("SqlRandom", "'abc' > a", "SQL92");
      const hb = await client.invokeSync(
        cluster.brokerAddr,
        createRequest(RequestCode.HEART_BEAT, {
          body: encodeHeartbeatData({
            clientID: "127.0.0.1@sql-raw",
            producerDataSet: [],
            consumerDataSet: [
              {
                groupName: "sql-raw",
                consumeType: "CONSUME_PASSIVELY",
                messageModel: "CLUSTERING",
                consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
                subscriptionDataSet: [sub],
                unitMode: false,
              },
            ],
          }),
        }),
        5000,
      );
      expect(hb.code).toBe(0); // the heartbeat itself is accepted, as on Java
      const pull = await client.invokeSync(
        cluster.brokerAddr,
        createRequest(RequestCode.PULL_MESSAGE, {
          extFields: {
            consumerGroup: "sql-raw",
            topic: "SqlRandom",
            queueId: "0",
            queueOffset: "0",
            maxMsgNums: "32",
            sysFlag: "0",
            commitOffset: "0",
            suspendTimeoutMillis: "0",
            subVersion: String(sub.subVersion),
            expressionType: "SQL92",
          },
        }),
        5000,
      );
      expect([pull.code, pull.remark]).toEqual([
        27,
        "The broker's consumer filter data is not exist!Your expression may be wrong!",
      ]);
    } finally {
      await client.shutdown();
    }
  });

  it("answers the captured Java SqlFilterConsumer as the Java broker did", async () => {
    const scenario = loadScenarios().find((s) => s.name === "consumer-sql92-filter");
    if (!scenario) throw new Error("consumer-sql92-filter capture missing");
    const frames = scenario.frames;
    const capturedAnswer = (f: CapturedFrame): CapturedFrame | undefined =>
      frames.find(
        (r) => r.conn === f.conn && r.dir === "s2c" && r.rpcType === "response" && r.header.opaque === f.header.opaque,
      );
    // sends, CHECK_CLIENT_CONFIG, heartbeat, and the pulls the Java broker answered at once
    const only = (f: CapturedFrame): boolean => {
      const code = f.header.code as number;
      if (code === 11) return [0, 20].includes(capturedAnswer(f)?.header.code as number);
      return [310, 46, 34].includes(code);
    };
    const [host, port] = cluster.brokerAddr.split(":") as [string, string];
    const exchanges = await replay(frames, 30911, { host, port: Number(port) }, { only });
    const pulls = exchanges.filter((x) => x.request.header.code === 11);
    expect(pulls.length).toBeGreaterThan(0);
    const check = exchanges.find((x) => x.request.header.code === 46);
    expect(check?.ours?.cmd.code).toBe(0);
    const valuesOf = (body: Buffer | null | undefined): string[] => {
      const out: string[] = [];
      for (let pos = 0; body && pos < body.length;) {
        const r = decodeRecordAt(body, pos);
        out.push(r.properties.get("a") ?? "");
        pos += r.storeSize;
      }
      return out;
    };
    for (const x of pulls) {
      const java = x.captured;
      const ours = x.ours?.cmd;
      if (!java || !ours) throw new Error("missing pull answer");
      expect(ours.code).toBe(java.header.code);
      const javaBody = Buffer.from(java.frameBase64, "base64");
      const headerLength = javaBody.readInt32BE(4) & 0xffffff;
      expect(valuesOf(ours.body)).toEqual(valuesOf(javaBody.subarray(8 + headerLength)));
    }
  }, 60_000);
});
