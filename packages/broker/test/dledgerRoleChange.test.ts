/**
 * Java's DLedgerRoleChangeHandler: role events from the DLedger member become changeToSlave /
 * changeToMaster calls — followers and candidates with brokerId = selfId number + 1, a leader only
 * after every entry is committed and dispatched (polled every 100 ms), one event at a time.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { dledgerFollowerBrokerId } from "@rocketmq-ts/dledger";
import { DLedgerRoleChangeHandler, type DLedgerRoleChangeContext } from "../src/dledger/DLedgerRoleChangeHandler.js";

class FakeBroker implements DLedgerRoleChangeContext {
  role = "ASYNC_MASTER";
  brokerId = -1;
  calls: string[] = [];
  leader = true;
  ledgerEnd = -1;
  committed = -1;
  behind = 0;
  brokerRole(): string {
    return this.role;
  }
  async changeToSlave(brokerId: number): Promise<void> {
    this.calls.push(`slave:${brokerId}`);
    this.brokerId = brokerId;
    this.role = "SLAVE";
  }
  async changeToMaster(role: "SYNC_MASTER"): Promise<void> {
    this.calls.push(`master:${role}`);
    this.brokerId = 0;
    this.role = role;
  }
  isLeader(): boolean {
    return this.leader;
  }
  ledgerEndIndex(): number {
    return this.ledgerEnd;
  }
  committedIndex(): number {
    return this.committed;
  }
  dispatchBehindBytes(): number {
    return this.behind;
  }
  recoverTopicQueueTable(): void {
    this.calls.push("recoverTopicQueueTable");
  }
}

function handlerFor(broker: FakeBroker, selfId: string, onSleep: (n: number) => void = () => {}) {
  const sleeps: number[] = [];
  const handler = new DLedgerRoleChangeHandler(broker, {
    followerBrokerId: dledgerFollowerBrokerId(selfId),
    logger: pino({ level: "silent" }),
    sleep: async (ms) => {
      sleeps.push(ms);
      onSleep(sleeps.length);
    },
  });
  return { handler, sleeps };
}

describe("DLedgerRoleChangeHandler", () => {
  it("a follower becomes SLAVE with brokerId = selfId number + 1 (n1 → 2, n2 → 3)", async () => {
    for (const [selfId, id] of [
      ["n1", 2],
      ["n2", 3],
      ["n0", 1],
    ] as const) {
      const broker = new FakeBroker();
      await handlerFor(broker, selfId).handler.handle(1, "FOLLOWER");
      expect(broker.calls).toEqual([`slave:${id}`]);
      expect(broker.role).toBe("SLAVE");
    }
  });

  it("a candidate becomes SLAVE unless it already is one", async () => {
    const broker = new FakeBroker();
    const { handler } = handlerFor(broker, "n2");
    await handler.handle(1, "CANDIDATE");
    await handler.handle(2, "CANDIDATE");
    expect(broker.calls).toEqual(["slave:3"]);
  });

  it("a leader with an empty log becomes SYNC_MASTER (brokerId 0) at once", async () => {
    const broker = new FakeBroker();
    const { handler, sleeps } = handlerFor(broker, "n0");
    await handler.handle(1, "LEADER");
    expect(broker.calls).toEqual(["recoverTopicQueueTable", "master:SYNC_MASTER"]);
    expect(broker.brokerId).toBe(0);
    expect(sleeps).toEqual([]);
  });

  it("a leader waits until its entries are committed and dispatched, polling every 100 ms", async () => {
    const broker = new FakeBroker();
    broker.ledgerEnd = 9;
    broker.committed = 5;
    broker.behind = 1000;
    const { handler, sleeps } = handlerFor(broker, "n0", (n) => {
      // committed after the 2nd poll, dispatched after the 4th
      if (n === 2) broker.committed = 9;
      if (n === 4) broker.behind = 0;
      expect(broker.calls).toEqual([]);
    });
    await handler.handle(3, "LEADER");
    expect(sleeps).toEqual([100, 100, 100, 100]);
    expect(broker.calls).toEqual(["recoverTopicQueueTable", "master:SYNC_MASTER"]);
  });

  it("a leader that loses leadership while waiting does not become master; the next event follows", async () => {
    const broker = new FakeBroker();
    broker.ledgerEnd = 9;
    broker.committed = 5;
    const { handler } = handlerFor(broker, "n1", (n) => {
      if (n === 3) broker.leader = false;
    });
    const leader = handler.handle(3, "LEADER");
    const follower = handler.handle(4, "FOLLOWER");
    await Promise.all([leader, follower]);
    expect(broker.calls).toEqual(["slave:2"]);
  });

  it("after shutdown no event is handled", async () => {
    const broker = new FakeBroker();
    const { handler } = handlerFor(broker, "n1");
    await handler.shutdown();
    await handler.handle(1, "FOLLOWER");
    expect(broker.calls).toEqual([]);
  });
});
