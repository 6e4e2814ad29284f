/**
 * Plain ACL on a real bin/mqbroker (aclEnable=true, the rules in <home>/conf/plain_acl.yml): our
 * client library and ali-ons (npm) signing with AccessKey/SecretKey are served or refused as a
 * Java 4.9.8 broker would (code 1, the AclException text); the rules reload without a restart; a
 * broken file keeps the last good rules; a broken file at start refuses the broker, naming the line.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AclClientRPCHook } from "@rocketmq-ts/acl";
import { DefaultMQPushConsumer, Message, TransactionMQProducer, type MessageExt } from "@rocketmq-ts/client";
import { createRequest, RemotingClient, RequestCode, type RemotingCommand } from "@rocketmq-ts/remoting";
import {
  aliConsumer,
  closeAliConsumer,
  httpclient,
  ons,
  type AliConsumer,
  type AliProducer,
} from "./support/alions.js";
import { run, startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";

const RULES = `globalWhiteRemoteAddresses:
  - 10.10.103.*

accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - AclTopic=PUB|SUB
      - AclReadOnly=SUB
  - accessKey: rocketmq2
    secretKey: 12345678
    admin: true
`;
const USER = { accessKey: "RocketMQ", secretKey: "12345678" };
const ADMIN = { accessKey: "rocketmq2", secretKey: "12345678" };
const frame = (method: string, line: number): string =>
  `org.apache.rocketmq.acl.plain.PlainPermissionManager.${method}(PlainPermissionManager.java:${line})`;
const aclRemark = (message: string, at: string): string =>
  `org.apache.rocketmq.acl.common.AclException: ${message}, ${at}`;

let cluster: LocalCluster;
let aclHome: string;
const started = new StartedClients();
const raw = new RemotingClient();

function signed(cmd: RemotingCommand, who: { accessKey: string; secretKey: string } | null): RemotingCommand {
  if (who) new AclClientRPCHook(who).doBeforeRequest(cluster.brokerAddr, cmd);
  return cmd;
}

const createTopicRequest = (topic: string): RemotingCommand =>
  createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
    extFields: {
      topic,
      defaultTopic: "TBW102",
      readQueueNums: "4",
      writeQueueNums: "4",
      perm: "6",
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: "0",
      order: "false",
    },
  });

beforeAll(async () => {
  aclHome = mkdtempSync(join(tmpdir(), "rmq-acl-home-"));
  mkdirSync(join(aclHome, "conf"));
  writeFileSync(join(aclHome, "conf", "plain_acl.yml"), RULES);
  // transaction checks every second: the broker's own requests to clients must not meet the ACL check
  const props = [
    "aclEnable=true",
    "autoCreateTopicEnable=false",
    "transactionCheckInterval=1000",
    "transactionTimeOut=1000",
  ];
  cluster = await startLocalCluster(props.join("\n"), 1, [`-Drocketmq.home.dir=${aclHome}`]);
  for (const topic of ["AclTopic", "AclReadOnly", "AliAclTopic"]) {
    const answer = await raw.invokeSync(cluster.brokerAddr, signed(createTopicRequest(topic), ADMIN), 5000);
    expect(answer.code, answer.remark ?? "").toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await started.shutdownAll();
  await raw.shutdown();
  await cluster?.stop();
  rmSync(aclHome, { recursive: true, force: true });
});

describe("plain ACL on a real broker", () => {
  it("refuses unsigned, wrongly signed, unknown, non-admin and denied requests with Java's code and remark", async () => {
    const ask = (cmd: RemotingCommand) => raw.invokeSync(cluster.brokerAddr, cmd, 5000);
    const cases: [RemotingCommand, string][] = [
      [createTopicRequest("X1"), aclRemark("No accessKey is configured", frame("validate", 664))],
      [
        signed(createTopicRequest("X1"), { accessKey: "RocketMQ", secretKey: "87654321" }),
        aclRemark("Check signature failed for accessKey=RocketMQ", frame("validate", 684)),
      ],
      [
        signed(createTopicRequest("X1"), { accessKey: "NoSuchKey", secretKey: "12345678" }),
        aclRemark("No acl config for NoSuchKey", frame("validate", 668)),
      ],
      [
        signed(createTopicRequest("X1"), USER),
        aclRemark("Need admin permission for request code=17, but accessKey=RocketMQ is not", frame("checkPerm", 581)),
      ],
    ];
    for (const [cmd, remark] of cases) {
      const answer = await ask(cmd);
      expect(answer.code).toBe(1);
      expect(answer.remark).toBe(remark);
    }
  });

  it("our producer and push consumer signing as RocketMQ send and receive; a denied topic and a wrong secret fail", async () => {
    const producer = await started.producer(cluster.namesrvAddr, "acl_pg", { rpcHook: new AclClientRPCHook(USER) });
    for (let i = 0; i < 20; i++) {
      const result = await producer.send(new Message("AclTopic", Buffer.from(`acl-${i}`), { tags: "TagA" }));
      expect(result.sendStatus).toBe("SEND_OK");
    }
    await expect(producer.send(new Message("AclReadOnly", Buffer.from("x")))).rejects.toThrow(
      `CODE: 1  DESC: ${aclRemark("No default permission for topic:AclReadOnly", frame("checkPerm", 611))}`,
    );
    const wrong = await started.producer(cluster.namesrvAddr, "acl_wrong_pg", {
      instanceName: "wrong-secret",
      rpcHook: new AclClientRPCHook({ accessKey: "RocketMQ", secretKey: "87654321" }),
    });
    await expect(wrong.send(new Message("AclTopic", Buffer.from("x")))).rejects.toThrow(
      aclRemark("Check signature failed for accessKey=RocketMQ", frame("validate", 684)),
    );

    const received = new Set<string>();
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "acl_cg",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      rpcHook: new AclClientRPCHook(USER),
    });
    consumer.subscribe("AclTopic", "*");
    consumer.registerMessageListener((msgs: MessageExt[]) => {
      for (const m of msgs) received.add(m.body.toString());
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    started.push(consumer);
    await until(() => received.size === 20, 30_000, "20 messages consumed under ACL");
  });

  it("a transaction left UNKNOW is checked by the broker (its request to the producer is not ACL-checked)", async () => {
    let checks = 0;
    const producer = new TransactionMQProducer({
      namesrvAddr: cluster.namesrvAddr,
      producerGroup: "acl_tx_pg",
      instanceName: "acl-tx",
      sessionCredentials: USER,
    });
    producer.setTransactionListener({
      executeLocalTransaction: () => "UNKNOW",
      checkLocalTransaction: () => {
        checks++;
        return "COMMIT_MESSAGE";
      },
    });
    await producer.start();
    started.push(producer);
    await producer.instance.updateTopicRouteInfoFromNameServer("TBW102");
    await producer.instance.sendHeartbeatToAllBrokers();
    const result = await producer.sendMessageInTransaction(new Message("AclTopic", Buffer.from("tx-under-acl")), null);
    expect(result.sendStatus).toBe("SEND_OK");
    await until(() => checks > 0, 30_000, "the broker's CHECK_TRANSACTION_STATE reaching the producer");
  });

  it("ali-ons with the account's keys is served, with a wrong secret refused", async () => {
    const aliProducer = (secret: string): AliProducer =>
      new ons.Producer({
        httpclient,
        producerGroup: `ali_acl_${secret}`,
        nameSrv: cluster.namesrvAddr,
        clientIP: "127.0.0.1",
        // ali-ons shares one client (and its keys) per clientIP@instanceName
        instanceName: `acl-${secret}`,
        accessKeyId: "RocketMQ",
        accessKeySecret: secret,
      });
    const good = aliProducer("12345678");
    await good.ready();
    for (let i = 0; i < 10; i++) {
      const result = await good.send(new ons.Message("AclTopic", "TagB", `ali-${i}`));
      expect(result.sendStatus).toBe("SEND_OK");
    }
    const bad = aliProducer("87654321");
    await bad.ready();
    // ali-ons retries SYSTEM_ERROR (as Java's producer) and then reports only the attempts
    const remoting = join(cluster.home, "logs", "rocketmqlogs", "remoting.log");
    const refusals = (): number => readLogs(remoting).split("Check signature failed for accessKey=RocketMQ").length - 1;
    const before = refusals();
    await expect(bad.send(new ons.Message("AclTopic", "TagB", "nope"))).rejects.toThrow(
      /^Send \[\d+\] times, still failed/,
    );
    await until(() => refusals() > before, 10_000, "the broker's refusal in remoting.log");
    await good.close();
    // its UNREGISTER_CLIENT is refused as well (as in the Java capture), and ali-ons shows the remark
    await expect(bad.close()).rejects.toThrow(
      aclRemark("Check signature failed for accessKey=RocketMQ", frame("validate", 684)),
    );

    const got = new Set<string>();
    const consumer: AliConsumer = aliConsumer(cluster.namesrvAddr, "ali_acl_cg", {
      instanceName: "acl-consumer",
      accessKeyId: "RocketMQ",
      accessKeySecret: "12345678",
    });
    consumer.subscribe("AclTopic", "TagB", async (msg) => {
      got.add(msg.body.toString());
    });
    try {
      await until(() => got.size === 10, 30_000, "ali-ons consumed 10 under ACL");
    } finally {
      await closeAliConsumer(consumer);
    }
  });

  it("reloads changed rules without a restart and keeps the last good rules when the file breaks", async () => {
    const file = join(aclHome, "conf", "plain_acl.yml");
    const newbie = { accessKey: "newbie123", secretKey: "secret999" };
    const send = () =>
      raw.invokeSync(cluster.brokerAddr, signed(createTopicRequest("ReloadTopic"), newbie), 5000).then((a) => a.code);
    expect(await send()).toBe(1);
    writeFileSync(file, `${RULES}  - accessKey: newbie123\n    secretKey: secret999\n    admin: true\n`);
    const end = Date.now() + 20_000;
    while ((await send()) !== 0) {
      if (Date.now() > end) throw new Error("new account not loaded within 20 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    writeFileSync(file, `${RULES}  - accessKey: newbie123\n    secretKey: secret999\n    whiteRemoteAddress: 1.2.3\n`);
    const log = join(cluster.home, "logs", "rocketmqlogs");
    await until(
      () => readLogs(log).includes("keeping its last good rules"),
      20_000,
      "the broken file reported in the broker's log",
    );
    expect(readLogs(log)).toMatch(
      /plain_acl\.yml:17: accounts\[2\]: Netaddress examine Exception netaddress is 1\.2\.3/,
    );
    expect(await send()).toBe(0);
    writeFileSync(file, RULES);
  });
});

/** The text of a log file, or of the broker's main logs when given their directory. */
function readLogs(path: string): string {
  const files = path.endsWith(".log") ? [path] : [join(path, "broker.log"), join(path, "broker_default.log")];
  return files
    .map((file) => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return "";
      }
    })
    .join("\n");
}

describe("a broken plain_acl.yml at start", () => {
  it("refuses to start the broker, naming file, line and key", async () => {
    const home = mkdtempSync(join(tmpdir(), "rmq-acl-bad-"));
    try {
      mkdirSync(join(home, "conf"));
      writeFileSync(join(home, "conf", "plain_acl.yml"), "accounts:\n  - accessKey: RocketMQ\n    secretKey: 1234\n");
      const conf = join(home, "broker.properties");
      writeFileSync(
        conf,
        `brokerName=acl-bad\nlistenPort=0\naclEnable=true\nstorePathRootDir=${join(home, "store")}\nnamesrvAddr=127.0.0.1:1\n`,
      );
      const broker = run("mqbroker", ["-c", conf], home, [`-Drocketmq.home.dir=${home}`]);
      const code = await broker.exited;
      expect(code).not.toBe(0);
      expect(broker.stderr()).toContain(
        `${join(home, "conf", "plain_acl.yml")}:2: accounts[0]: The accessKey=RocketMQ and secretKey=1234 cannot be null and length should longer than 6`,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
