/**
 * Transactional messages on a real broker: half messages invisible until commit, rollback,
 * unknown-then-checked outcomes counted exactly, the check limit, checks after a restart, and the
 * captured Java 4.9.8 TransactionProducer's frames answered with Java-identical check requests.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DefaultMQPushConsumer,
  Message,
  MQAdminClient,
  TransactionMQProducer,
  type LocalTransactionState,
  type MessageExt,
} from "@rocketmq-ts/client";
import {
  createMessageId,
  decodeRecordAt,
  newTopicConfig,
  parseHost,
  type MessageExt as StoredMessage,
} from "@rocketmq-ts/common";
import { decodeFramePayload, FrameDecoder, type RemotingCommand } from "@rocketmq-ts/remoting";
import { startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";
import { frameBytes, frameBytesWith, loadScenarios, rebasedBornTimestamps } from "./support/corpus.js";

let cluster: LocalCluster;
let admin: MQAdminClient;
const started = new StartedClients();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // checks every second for halves older than one second; at most 3 checks each
  cluster = await startLocalCluster(
    ["transactionCheckInterval=1000", "transactionTimeOut=1000", "transactionCheckMax=3"].join("\n"),
  );
  admin = new MQAdminClient({ namesrvAddr: cluster.namesrvAddr });
}, 60_000);

afterAll(async () => {
  await started.shutdownAll();
  await admin?.remoting.shutdown();
  await cluster?.stop();
});

interface Outcomes {
  local: (msg: Message) => LocalTransactionState | Promise<LocalTransactionState>;
  /** A transaction check hands the listener the half message as the broker stored it. */
  check: (msg: StoredMessage, n: number) => LocalTransactionState;
}

async function txProducer(group: string, outcomes: Outcomes) {
  const checks = new Map<string, number>();
  const p = new TransactionMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: group });
  p.setTransactionListener({
    executeLocalTransaction: (msg) => outcomes.local(msg),
    checkLocalTransaction: (msg) => {
      const key = msg.properties.get("KEYS") ?? "";
      const n = (checks.get(key) ?? 0) + 1;
      checks.set(key, n);
      return outcomes.check(msg, n);
    },
  });
  await p.start();
  started.push(p);
  // the broker must know the group's producer before its first check round: learn the broker, heartbeat
  await p.instance.updateTopicRouteInfoFromNameServer("TBW102");
  await p.instance.sendHeartbeatToAllBrokers();
  return { p, checks };
}

/** Topics are created up front, as operators do: a consumer started before its topic exists waits for a route poll and a rebalance. */
async function consumer(group: string, topic: string) {
  await admin.createAndUpdateTopicConfig(
    cluster.brokerAddr,
    newTopicConfig(topic, { readQueueNums: 4, writeQueueNums: 4 }),
  );
  const seen = new Map<string, number>();
  const c = new DefaultMQPushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    consumerGroup: group,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  c.subscribe(topic, "*");
  c.registerMessageListener((msgs) => {
    for (const m of msgs) {
      const key = m.properties.get("KEYS") ?? "";
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    return "CONSUME_SUCCESS";
  });
  await c.start();
  started.push(c);
  return seen;
}

describe("transactional messages", () => {
  it("a half message is invisible until its local transaction commits; a rollback is never delivered", async () => {
    const topic = "TxCommitRollback";
    const seen = await consumer("tx-c1", topic);
    let releaseCommit: () => void = () => undefined;
    const commitGate = new Promise<void>((r) => (releaseCommit = r));
    const { p } = await txProducer("tx-p1", {
      local: async (msg) => {
        if (msg.properties.get("KEYS") === "commit-1") {
          await commitGate;
          return "COMMIT_MESSAGE";
        }
        return "ROLLBACK_MESSAGE";
      },
      check: () => "UNKNOW",
    });
    const committing = p.sendMessageInTransaction(new Message(topic, Buffer.from("c"), { keys: "commit-1" }), null);
    // the half is stored but nothing is in the real topic yet
    await sleep(1500);
    expect(seen.size).toBe(0);
    const rolledBack = await p.sendMessageInTransaction(
      new Message(topic, Buffer.from("r"), { keys: "rollback-1" }),
      null,
    );
    expect(rolledBack.localTransactionState).toBe("ROLLBACK_MESSAGE");
    expect(rolledBack.offsetMsgId).toBeNull();
    releaseCommit();
    const committed = await committing;
    expect(committed.sendStatus).toBe("SEND_OK");
    expect(committed.localTransactionState).toBe("COMMIT_MESSAGE");
    await until(() => seen.has("commit-1"), 15_000, "committed message delivered");
    await sleep(2500);
    expect([...seen.entries()]).toEqual([["commit-1", 1]]);

    // the COMMIT record, as Java writes it: transaction type COMMIT, pointing at its half
    const found = await admin.queryMessageByKey(topic, "commit-1", 32, 0, Date.now() + 60_000);
    expect(found).toHaveLength(1);
    const record = found[0] as MessageExt;
    expect(record.sysFlag & 0xc).toBe(0x8);
    // PREPARED TRANSACTION OFFSET points at the half message
    const half = await admin.viewMessage(
      createMessageId(parseHost(cluster.brokerAddr), record.preparedTransactionOffset),
    );
    expect([half.topic, half.properties.get("KEYS")]).toEqual(["RMQ_SYS_TRANS_HALF_TOPIC", "commit-1"]);
    expect(record.properties.get("REAL_TOPIC")).toBe(topic);
    expect(record.properties.get("TRAN_MSG")).toBe("true");
  }, 60_000);

  it("unknown outcomes are checked: commits delivered, rollbacks dropped, still-unknown checked again until the limit", async () => {
    const topic = "TxChecked";
    const seen = await consumer("tx-c2", topic);
    // i % 3: 0 → unknown forever, 1 → commit at the first check, 2 → rollback at the second check
    const { p, checks } = await txProducer("tx-p2", {
      local: () => "UNKNOW",
      check: (msg, n) => {
        const i = Number((msg.properties.get("KEYS") ?? "k-0").slice(2));
        if (i % 3 === 1) return "COMMIT_MESSAGE";
        if (i % 3 === 2) return n >= 2 ? "ROLLBACK_MESSAGE" : "UNKNOW";
        return "UNKNOW";
      },
    });
    for (let i = 0; i < 12; i++) {
      const r = await p.sendMessageInTransaction(new Message(topic, Buffer.from(`m${i}`), { keys: `k-${i}` }), null);
      expect(r.localTransactionState).toBe("UNKNOW");
    }
    const commits = Array.from({ length: 12 }, (_, i) => i).filter((i) => i % 3 === 1);
    await until(() => commits.every((i) => seen.has(`k-${i}`)), 30_000, "checked commits delivered");
    // unknown forever: checked transactionCheckMax (3) times, then discarded
    await until(
      () => [0, 3, 6, 9].every((i) => checks.get(`k-${i}`) === 3),
      30_000,
      "three checks of each still-unknown half",
    );
    await sleep(3500);
    for (const i of [0, 3, 6, 9]) expect(checks.get(`k-${i}`)).toBe(3);
    for (const i of [2, 5, 8, 11]) expect(checks.get(`k-${i}`)).toBe(2);
    for (const i of commits) expect(checks.get(`k-${i}`)).toBe(1);
    expect([...seen.keys()].sort()).toEqual(commits.map((i) => `k-${i}`).sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // the discarded halves went to TRANS_CHECK_MAX_TIME_TOPIC
    const discarded = await admin.queryMessageByKey("TRANS_CHECK_MAX_TIME_TOPIC", "k-0", 32, 0, Date.now() + 60_000);
    expect(discarded.map((m) => m.properties.get("REAL_TOPIC"))).toContain(topic);
  }, 90_000);

  it("half messages pending across a broker restart are checked afterwards", async () => {
    // a broker of its own: rounds run while nobody can answer, so give the halves Java's 15 checks
    const own = await startLocalCluster(["transactionCheckInterval=1000", "transactionTimeOut=1000"].join("\n"));
    try {
      const topic = "TxRestart";
      let answer: LocalTransactionState = "UNKNOW";
      const checked: string[] = [];
      const p = new TransactionMQProducer({
        namesrvAddr: own.namesrvAddr,
        producerGroup: "tx-p3",
        heartbeatBrokerInterval: 500,
      });
      p.setTransactionListener({
        executeLocalTransaction: () => "UNKNOW",
        checkLocalTransaction: (msg) => {
          checked.push(msg.properties.get("KEYS") ?? "");
          return answer;
        },
      });
      await p.start();
      for (let i = 0; i < 3; i++)
        await p.sendMessageInTransaction(new Message(topic, Buffer.from(`r${i}`), { keys: `r-${i}` }), null);
      await own.restartBroker();
      const afterRestart = checked.length;
      answer = "COMMIT_MESSAGE";
      const seen = new Set<string>();
      const c = new DefaultMQPushConsumer({
        namesrvAddr: own.namesrvAddr,
        consumerGroup: "tx-c3",
        consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
        pollNameServerInterval: 1000,
      });
      c.subscribe(topic, "*");
      c.registerMessageListener((msgs) => {
        for (const m of msgs) seen.add(m.properties.get("KEYS") ?? "");
        return "CONSUME_SUCCESS";
      });
      await c.start();
      await until(
        () => [0, 1, 2].every((i) => seen.has(`r-${i}`)),
        30_000,
        "halves checked and committed after restart",
      );
      expect(checked.length).toBeGreaterThan(afterRestart);
      await c.shutdown();
      await p.shutdown();
    } finally {
      await own.stop();
    }
  }, 90_000);
});

describe("the captured Java TransactionProducer against our broker", () => {
  it("answers its half sends and checks the unresolved halves with Java's CHECK_TRANSACTION_STATE frames", async () => {
    const scenario = loadScenarios().find((s) => s.name === "producer-transaction");
    if (!scenario) throw new Error("producer-transaction capture missing");
    const [host, port] = cluster.brokerAddr.split(":") as [string, string];
    const socket = net.connect(Number(port), host);
    await new Promise<void>((r) => socket.once("connect", () => r()));
    const decoder = new FrameDecoder();
    const received: RemotingCommand[] = [];
    socket.on("data", (chunk: Buffer) => {
      for (const payload of decoder.push(chunk)) received.push(decodeFramePayload(payload));
    });
    // the producer's heartbeat first (in the capture it follows the sends; a check round in between
    // would renew the halves with nobody to ask), then its 10 half sends; its "unknown"
    // END_TRANSACTIONs change nothing and refer to Java's offsets, so they are left out
    const requests = scenario.frames
      .filter(
        (f) =>
          f.conn.endsWith("->30911") && f.dir === "c2s" && f.seq <= 36 && [34, 310].includes(f.header.code as number),
      )
      .sort((a, b) => (a.header.code === 34 ? -1 : b.header.code === 34 ? 1 : a.seq - b.seq));
    // the halves are sent as born now: the check service skips halves born more than fileReservedTime
    // hours ago (Java's needSkip), and the capture is older than that on most days this test runs
    const born = rebasedBornTimestamps(requests, Date.now());
    for (const f of requests) {
      const rebased = born.get(f);
      socket.write(rebased === undefined ? frameBytes(f) : frameBytesWith(f, { g: rebased }));
      const opaque = f.header.opaque as number;
      await until(() => received.some((r) => r.opaque === opaque), 5000, `answer to ${f.codeName}`);
    }
    const sends = received.filter((r) => r.extFields?.["queueOffset"] !== undefined);
    expect(sends).toHaveLength(10);
    // queueId is the real queue, queueOffset the half-topic offset (as the Java broker answered)
    const javaAnswers = scenario.frames.filter(
      (f) => f.dir === "s2c" && f.header.extFields && "queueOffset" in (f.header.extFields as object),
    );
    expect(sends.map((r) => r.extFields?.["queueId"])).toEqual(
      javaAnswers.map((f) => (f.header.extFields as Record<string, string>)["queueId"]),
    );

    // the broker checks every half (transactionTimeOut 1 s, interval 1 s) over this connection
    await until(() => received.filter((r) => r.code === 39).length >= 10, 20_000, "ten check requests");
    const checks = received.filter((r) => r.code === 39);
    const javaCheck = scenario.frames.find((f) => f.dir === "s2c" && f.header.code === 39);
    if (!javaCheck) throw new Error("no captured check");
    const first = checks[0] as RemotingCommand;
    expect(Object.keys(first.extFields ?? {})).toEqual(Object.keys(javaCheck.header.extFields as object));
    expect(first.flag & 2).toBe(2); // oneway
    const ours = decodeRecordAt(first.body as Buffer, 0, true);
    const java = decodeRecordAt(
      frameBytes(javaCheck).subarray(8 + (frameBytes(javaCheck).readInt32BE(4) & 0xffffff)),
      0,
      true,
    );
    expect(ours.topic).toBe("TopicTest1234");
    // the same properties in the same (HashMap) order, WAIT=false and TRANSACTION_CHECK_TIMES=1 included
    expect([...ours.properties]).toEqual([...java.properties]);
    expect(ours.storeSize).toBe(java.storeSize);
    expect(ours.properties.get("WAIT")).toBe("false");
    expect(ours.properties.get("TRANSACTION_CHECK_TIMES")).toBe("1");
    expect(ours.body?.toString()).toBe("Hello RocketMQ 0");
    socket.destroy();
  }, 60_000);
});
