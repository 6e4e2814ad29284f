/**
 * bin/mqbroker in DLedger mode with a group of ONE member (dLegerPeers=n0-127.0.0.1:<free port>): it
 * elects itself, registers as BID 0 only then (clusterList shows it), and our producer's SEND_OK
 * messages come back to a consumer with their offsets — commit-log offsets 48 bytes apart beyond the
 * records (each record is the body of a DLedger entry). The store holds dledger-n0/{data,index}, no
 * commitlog/ and no HA port.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQPushConsumer, Message, MQAdminClient, type MessageExt, type SendResult } from "@rocketmq-ts/client";
import { newTopicConfig } from "@rocketmq-ts/common";
import { freeBrokerPort, freePort, run, runTool, TEST_BROKER_PROPS, until, type Proc } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";

const TOPIC = "DLedgerTopic";
const started = new StartedClients();
let home: string;
let namesrv: Proc;
let broker: Proc;
let namesrvAddr: string;
let brokerPort: number;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "rmq-dledger-e2e-"));
  const nsPort = await freePort();
  writeFileSync(join(home, "namesrv.properties"), `listenPort=${nsPort}\n`);
  namesrv = run("mqnamesrv", ["-c", join(home, "namesrv.properties")], home);
  await until(() => namesrv.stdout().includes("boot success"), 15_000, "namesrv boot");
  namesrvAddr = `127.0.0.1:${nsPort}`;
  brokerPort = await freeBrokerPort();
  const peerPort = await freePort();
  const conf = join(home, "broker-n0.conf");
  writeFileSync(
    conf,
    [
      "brokerClusterName=RaftCluster",
      "brokerName=RaftNode00",
      `listenPort=${brokerPort}`,
      "brokerIP1=127.0.0.1",
      `namesrvAddr=${namesrvAddr}`,
      `storePathRootDir=${join(home, "store")}`,
      `storePathCommitLog=${join(home, "store", "commitlog")}`,
      "mappedFileSizeCommitLog=16777216",
      "enableDLegerCommitLog=true",
      "dLegerGroup=RaftNode00",
      `dLegerPeers=n0-127.0.0.1:${peerPort}`,
      "dLegerSelfId=n0",
      ...TEST_BROKER_PROPS,
    ].join("\n"),
  );
  broker = run("mqbroker", ["-c", conf], home);
  await until(() => broker.stdout().includes("boot success") || broker.child.exitCode !== null, 20_000, "boot");
  if (!broker.stdout().includes("boot success")) throw new Error(`broker did not start: ${broker.stderr()}`);
}, 40_000);

afterAll(async () => {
  await started.shutdownAll();
  await broker?.stop();
  await namesrv?.stop();
  rmSync(home, { recursive: true, force: true });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** The commit-log offset inside an offsetMsgId (its last 16 hex digits). */
const offsetOf = (offsetMsgId: string): number => Number.parseInt(offsetMsgId.slice(-16), 16);

describe("a one-member DLedger broker", () => {
  it("elects itself, registers as BID 0 and clusterList shows it; no HA port, a DLedger store", async () => {
    let out = "";
    const deadline = Date.now() + 20_000;
    while (!/RaftCluster\s+RaftNode00\s+0\s+127\.0\.0\.1:/.test(out)) {
      if (Date.now() > deadline) throw new Error(`clusterList never showed BID 0:\n${out}`);
      out = (await runTool("mqadmin", ["clusterList", "-n", namesrvAddr])).stdout;
    }
    expect(out).toContain(`127.0.0.1:${brokerPort}`);
    expect(out).not.toMatch(/RaftNode00\s+-1\s/);
    expect(await portOpen(brokerPort + 1)).toBe(false);
    expect(existsSync(join(home, "store", "dledger-n0", "data"))).toBe(true);
    expect(existsSync(join(home, "store", "commitlog"))).toBe(false);
  });

  it("SEND_OK messages are consumed back with their offsets (records 48 bytes apart beyond their sizes)", async () => {
    const admin = started.push(new MQAdminClient({ namesrvAddr }));
    await admin.createAndUpdateTopicConfig(
      `127.0.0.1:${brokerPort}`,
      newTopicConfig(TOPIC, { readQueueNums: 1, writeQueueNums: 1 }),
    );
    const producer = await started.producer(namesrvAddr, "dledger-e2e-producer");
    const sent: SendResult[] = [];
    for (let i = 0; i < 20; i++) sent.push(await producer.send(new Message(TOPIC, Buffer.from(`dledger ${i}`))));
    expect(sent.map((r) => r.sendStatus)).toEqual(sent.map(() => "SEND_OK"));
    expect(sent.map((r) => r.queueOffset)).toEqual(sent.map((_, i) => i));

    const received = new Map<string, MessageExt>();
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr,
      consumerGroup: "dledger-e2e-consumer",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe(TOPIC, "*");
    consumer.registerMessageListener((msgs: MessageExt[]) => {
      for (const m of msgs) received.set(m.body?.toString() ?? "", m);
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    started.push(consumer);
    await until(() => received.size === 20, 20_000, "all 20 consumed");

    const got = sent.map((_, i) => received.get(`dledger ${i}`) as MessageExt);
    expect(got.map((m) => m.queueOffset)).toEqual(sent.map((r) => r.queueOffset));
    expect(got.map((m) => m.commitLogOffset)).toEqual(sent.map((r) => offsetOf(r.offsetMsgId)));
    for (let i = 1; i < got.length; i++) {
      const prev = got[i - 1] as MessageExt;
      expect(got[i]?.commitLogOffset).toBe(prev.commitLogOffset + prev.storeSize + 48);
    }
    // the first record follows the first entry header
    expect(got[0]?.commitLogOffset).toBe(48);
  });

  it("refuses bad dLeger* values naming the key", async () => {
    for (const [line, key] of [
      ["dLegerSelfId=n5", "dLegerSelfId"],
      ["dLegerPeers=n0-nowhere", "dLegerPeers"],
    ]) {
      const conf = join(home, "bad.conf");
      writeFileSync(
        conf,
        [
          `listenPort=${await freeBrokerPort()}`,
          `storePathRootDir=${join(home, "bad-store")}`,
          "enableDLegerCommitLog=true",
          "dLegerGroup=RaftNode00",
          "dLegerPeers=n0-127.0.0.1:40911",
          "dLegerSelfId=n0",
          line,
        ].join("\n"),
      );
      const bad = run("mqbroker", ["-c", conf], home);
      expect(await bad.exited).toBe(1);
      expect(bad.stderr()).toContain(`'${key}'`);
    }
  });
});
