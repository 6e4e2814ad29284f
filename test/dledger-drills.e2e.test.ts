/**
 * Issue 15's DLedger drills (d), (f), (e) on real bin/mqbroker processes (members n0, n1, n2 of
 * RaftNode00; see test/support/dledgerGroup.ts):
 * (d) a leader whose log diverged (appends its followers never got: they were down) answers sends
 *     with Java's statuses (no quorum, then stepped down), is killed, the others come back, elect a
 *     new leader and take more messages; the old leader restarts, rejoins as follower, its
 *     uncommitted tail is truncated: the same committed position (runtime info), the same DLedger
 *     checkpoint (committed = end index) and byte-equal DLedger data as the new leader's;
 * (f) with two of three gone the last member (the rejoined one when it does not lead) refuses sends
 *     with Java's SERVICE_NOT_AVAILABLE and remark and still serves every committed message, and no
 *     unacknowledged one, to a consumer;
 * (e) preferredLeaderId (a group of its own): a group led by another member hands the leadership to
 *     the preferred one once it has joined and caught up; the new leader serves every message.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DefaultMQPushConsumer, DefaultMQProducer, Message, type MessageExt } from "@rocketmq-ts/client";
import { newTopicConfig } from "@rocketmq-ts/common";
import { loadCheckpoint } from "@rocketmq-ts/dledger";
import { createRequest, RemotingClient, ResponseCode } from "@rocketmq-ts/remoting";
import { DLedgerGroup } from "./support/dledgerGroup.js";
import { sendMessageV2Fields } from "./support/sendHeader.js";

const TOPIC = "DLedgerDrillTopic";
const IDS = ["n0", "n1", "n2"];
const group = new DLedgerGroup();
/** (e)'s group: every member has preferredLeaderId=n2. */
const preferredGroup = new DLedgerGroup();
const closers: { shutdown(): Promise<void> }[] = [];
/** Bodies acknowledged SEND_OK, over all drills. */
const acknowledged = new Set<string>();
/** Bodies sent while the followers were suspended: never acknowledged, never committed. */
const unacknowledged = new Set<string>();
/** (d)'s old leader, rejoined as follower. */
let rejoinedMember = "";

afterAll(async () => {
  for (const c of closers.reverse()) await c.shutdown().catch(() => undefined);
  await group.destroy();
  await preferredGroup.destroy();
}, 60_000);

async function createTopic(g: DLedgerGroup): Promise<void> {
  const config = newTopicConfig(TOPIC, { readQueueNums: 4, writeQueueNums: 4 });
  for (const m of g.members.values())
    if (m.proc) await g.adminClient.createAndUpdateTopicConfig(m.addr, config).catch(() => undefined);
}

async function producer(group: DLedgerGroup): Promise<DefaultMQProducer> {
  const p = new DefaultMQProducer({
    namesrvAddr: group.namesrvAddr,
    producerGroup: `drill_producer_${closers.length}`,
    pollNameServerInterval: 1000,
    sendMsgTimeout: 3000,
  });
  await p.start();
  closers.push(p);
  return p;
}

/** Send `n` bodies `prefix i`, retrying each until SEND_OK (within a generous bound). */
async function sendAcknowledged(p: DefaultMQProducer, prefix: string, n: number): Promise<void> {
  const end = Date.now() + 90_000;
  for (let i = 0; i < n; i++) {
    const body = `${prefix} ${i}`;
    for (;;) {
      const ok = await p
        .send(new Message(TOPIC, Buffer.from(body)))
        .then((r) => r.sendStatus === "SEND_OK")
        .catch(() => false);
      if (ok) break;
      if (Date.now() > end) throw new Error(`no SEND_OK for ${body}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    acknowledged.add(body);
  }
}

/** A push consumer of the group's topic from the first offset, until it has every one of `bodies` (or 90 s). */
async function consumeUntil(g: DLedgerGroup, consumerGroup: string, bodies: string[]): Promise<Set<string>> {
  const received = new Set<string>();
  const consumer = new DefaultMQPushConsumer({
    namesrvAddr: g.namesrvAddr,
    consumerGroup,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    pollNameServerInterval: 1000,
  });
  consumer.subscribe(TOPIC, "*");
  consumer.registerMessageListener((msgs: MessageExt[]) => {
    for (const m of msgs) received.add(m.body?.toString() ?? "");
    return "CONSUME_SUCCESS";
  });
  await consumer.start();
  closers.push(consumer);
  const end = Date.now() + 90_000;
  while (bodies.some((b) => !received.has(b)) && Date.now() < end) await new Promise((res) => setTimeout(res, 300));
  return received;
}

/** One raw SEND_MESSAGE_V2 straight to `addr`: the response code and remark. */
async function sendRaw(addr: string, body: string): Promise<{ code: number; remark: string | null }> {
  const client = new RemotingClient();
  try {
    const extFields = sendMessageV2Fields({ a: "drill_raw_producer", b: TOPIC, i: "WAIT\u0001true" });
    const res = await client.invokeSync(addr, createRequest(310, { extFields, body: Buffer.from(body) }), 10_000);
    return { code: res.code, remark: res.remark };
  } finally {
    await client.shutdown();
  }
}

/** The first `length` bytes of a member's DLedger data file (read with the member stopped or dead). */
function dledgerData(id: string, length: number): Buffer {
  const fd = openSync(join(group.member(id).storeRoot, `dledger-${id}`, "data", "00000000000000000000"), "r");
  try {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** A stopped member's DLedger checkpoint (committed and end index). */
function checkpoint(id: string): { committedIndex?: number; endIndex?: number } {
  const cp = loadCheckpoint(join(group.member(id).storeRoot, `dledger-${id}`));
  if (!cp) throw new Error(`${id} has no DLedger checkpoint`);
  return cp;
}

/** A lone leader's answer to a send it wrote but could not commit (WAIT_QUORUM_ACK_TIMEOUT). */
const PC_SYNCHRONIZED = `${ResponseCode.SYSTEM_ERROR} [PC_SYNCHRONIZED]broker busy, start flow control for a while`;

const leaderOf = (r: Map<number, string>): string => r.get(0) ?? "";

describe("DLedger drills on bin/mqbroker processes", () => {
  it("(d) a diverged old leader rejoins as follower: its uncommitted tail is truncated, its log equals the leader's", async () => {
    await group.create(IDS);
    await group.start(...IDS);
    const oldLeader = leaderOf(await group.untilRegistered((r) => r.has(0) && r.size === 3, 60_000, "a leader"));
    await createTopic(group);
    const p = await producer(group);
    await sendAcknowledged(p, "before-divergence", 50);
    const followers = IDS.filter((id) => id !== oldLeader);
    // the followers die (a suspended one would still find the pushes in its socket and commit them
    // later, a legitimate Raft outcome). The leader, alone, writes each send but cannot commit it: it
    // answers 4.9.8's DLedgerCommitLog status for WAIT_QUORUM_ACK_TIMEOUT (OS_PAGECACHE_BUSY →
    // SYSTEM_ERROR "[PC_SYNCHRONIZED]…") after maxWaitAckTimeMs, or our UNKNOWN_ERROR for the append
    // still waiting when it steps down (README: pending appends end TERM_CHANGED); once it has stepped
    // down (no heartbeat answers for 3 × 2 s) its store is a SLAVE's: SERVICE_NOT_AVAILABLE.
    for (const id of followers) await group.kill9(id);
    const answers: string[] = [];
    const steppedDownBy = Date.now() + 60_000;
    for (let i = 0; ; i++) {
      const body = `diverged ${i}`;
      unacknowledged.add(body);
      const { code, remark } = await sendRaw(group.member(oldLeader).addr, body);
      answers.push(code === ResponseCode.SERVICE_NOT_AVAILABLE ? "SERVICE_NOT_AVAILABLE" : `${code} ${remark}`);
      if (code === ResponseCode.SERVICE_NOT_AVAILABLE) break;
      expect([PC_SYNCHRONIZED, `${ResponseCode.SYSTEM_ERROR} UNKNOWN_ERROR`]).toContain(answers.at(-1));
      if (Date.now() > steppedDownBy) throw new Error(`the lone leader never stepped down: ${answers.join(", ")}`);
    }
    expect(answers[0]).toBe(PC_SYNCHRONIZED);
    await group.kill9(oldLeader);
    // the old leader's log holds what only it has: its tail diverged from the followers'
    const tail = dledgerData(oldLeader, 4 << 20);
    expect([...unacknowledged].some((b) => tail.includes(Buffer.from(b)))).toBe(true);
    await group.start(...followers);
    const r = await group.untilRegistered(
      (reg) => reg.has(0) && leaderOf(reg) !== oldLeader,
      90_000,
      "a new leader of the two restarted followers",
    );
    const newLeader = leaderOf(r);
    await sendAcknowledged(p, "after-divergence", 100);

    await group.start(oldLeader);
    rejoinedMember = oldLeader;
    await group.untilRegistered((reg) => reg.size === 3, 60_000, `${oldLeader} registered again as follower`);
    expect(leaderOf(await group.registered())).toBe(newLeader);
    expect((await group.registered()).get(Number(oldLeader.slice(1)) + 1)).toBe(oldLeader);
    let leaderMax = "";
    let rejoinedMax = "-";
    const end = Date.now() + 60_000;
    while (leaderMax !== rejoinedMax && Date.now() < end) {
      leaderMax = (await group.runtimeStats(newLeader)).get("commitLogMaxOffset") ?? "";
      rejoinedMax = (await group.runtimeStats(oldLeader)).get("commitLogMaxOffset") ?? "-";
      if (leaderMax !== rejoinedMax) await new Promise((res) => setTimeout(res, 300));
    }
    expect(rejoinedMax).toBe(leaderMax);
    // the log itself: stop both (a graceful stop writes the DLedger checkpoint), the same committed
    // and end index, nothing uncommitted left, and their DLedger data byte for byte
    const length = Number(leaderMax);
    await group.member(oldLeader).proc?.stop();
    await group.member(newLeader).proc?.stop();
    const rejoinedCheckpoint = checkpoint(oldLeader);
    expect(rejoinedCheckpoint).toEqual(checkpoint(newLeader));
    expect(rejoinedCheckpoint.endIndex).toBe(rejoinedCheckpoint.committedIndex);
    // every entry was committed: 50 + 100 acknowledged messages (retries may add an entry each)
    expect(rejoinedCheckpoint.committedIndex).toBeGreaterThanOrEqual(149);
    const rejoined = dledgerData(oldLeader, length);
    expect(rejoined.equals(dledgerData(newLeader, length))).toBe(true);
    for (const body of unacknowledged) expect(rejoined.includes(Buffer.from(body))).toBe(false);
    await group.start(newLeader, oldLeader);
    await group.untilRegistered((reg) => reg.size === 3 && reg.has(0), 90_000, "the group registered again");
  }, 300_000);

  it("(f) one member of three left: sends refused with SERVICE_NOT_AVAILABLE, every committed message readable", async () => {
    const leader = leaderOf(await group.registered());
    // the survivor is the member that rejoined in (d) when it does not lead: its reads then come from
    // a log whose tail was truncated and refilled
    const [survivor, other] = IDS.filter((id) => id !== leader).sort((a, b) =>
      a === rejoinedMember ? -1 : b === rejoinedMember ? 1 : 0,
    ) as [string, string];
    await group.kill9(leader);
    await group.kill9(other);
    await group.untilRegistered((reg) => !reg.has(0) && reg.size === 1, 60_000, "only the survivor registered");
    const refused = await sendRaw(group.member(survivor).addr, "minority");
    // DefaultMessageStore.checkStoreStatus: SERVICE_NOT_AVAILABLE on a SLAVE store (the role change
    // handler made the lone candidate one), SendMessageProcessor's remark with its disk usage
    expect(refused.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
    expect(refused.remark).toMatch(
      /^service not available now\. It may be caused by one of the following reasons: the broker's disk is full \[CL: +[\d.]+ CQ: +[\d.]+ INDEX: +[\d.]+\], messages are put to the slave, message store has been shut down, etc\.$/,
    );

    const received = await consumeUntil(group, "drill_minority_reader", [...acknowledged]);
    expect([...acknowledged].filter((b) => !received.has(b))).toEqual([]);
    expect([...unacknowledged].filter((b) => received.has(b))).toEqual([]);
  }, 240_000);

  it("(e) leadership moves to preferredLeaderId once that member has joined", async () => {
    await group.destroy(); // (d) and (f)'s group is done: its ports and processes go
    const pg = preferredGroup;
    await pg.create(IDS, ["preferredLeaderId=n2"]);
    // n2 is not there at first: n0 or n1 is elected
    await pg.start("n0", "n1");
    const first = leaderOf(await pg.untilRegistered((r) => r.has(0), 60_000, "a leader of n0 and n1"));
    expect(["n0", "n1"]).toContain(first);
    await createTopic(pg);
    const p = await producer(pg);
    await sendAcknowledged(p, "before-transfer", 50);

    await pg.start("n2");
    const r = await pg.untilRegistered(
      (reg) => leaderOf(reg) === "n2" && reg.size === 3,
      90_000,
      "n2 (preferredLeaderId) registered as BID 0",
    );
    expect(r.get(1)).toBe("n0");
    expect(r.get(2)).toBe("n1");
    await sendAcknowledged(p, "after-transfer", 50);
    // the new leader caught up before it took over: it serves what was sent before it joined
    const expected = [...acknowledged].filter((b) => b.includes("-transfer "));
    expect(expected).toHaveLength(100);
    const received = await consumeUntil(pg, "drill_transfer_reader", expected);
    expect(expected.filter((b) => !received.has(b))).toEqual([]);
  }, 240_000);
});
