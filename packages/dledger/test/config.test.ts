import { ConfigError } from "@rocketmq-ts/common";
import { configDefaults } from "@rocketmq-ts/common";
import { messageStoreConfigSpec } from "@rocketmq-ts/store";
import { describe, expect, it } from "vitest";
import {
  createDLedgerConfig,
  dledgerConfigFromMessageStore,
  dledgerConfigFromProperties,
  dledgerDataStorePath,
  dledgerDefaultPath,
  dledgerFollowerBrokerId,
  dledgerIndexStorePath,
  dledgerSelfAddress,
  parsePeers,
} from "../src/index.js";

const PEERS = "n0-127.0.0.1:24941;n1-127.0.0.1:24942;n2-127.0.0.1:24943";

function refusedKey(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.key;
    throw err;
  }
  throw new Error("not refused");
}

describe("DLedgerConfig", () => {
  it("has dledger 0.3.1.2's defaults", () => {
    const c = createDLedgerConfig();
    expect(c).toMatchObject({
      group: "default",
      selfId: "n0",
      peers: "n0-localhost:20911",
      storeBaseDir: "/tmp/dledgerstore",
      heartBeatTimeIntervalMs: 2000,
      maxHeartBeatLeak: 3,
      minVoteIntervalMs: 300,
      maxVoteIntervalMs: 1000,
      maxPendingRequestsNum: 10000,
      maxWaitAckTimeMs: 2500,
      maxPushTimeOutMs: 1000,
      enableBatchPush: false,
      maxBatchPushSize: 4096,
      preferredLeaderIds: null,
      maxLeadershipTransferWaitIndex: 1000,
      minTakeLeadershipVoteIntervalMs: 30,
      maxTakeLeadershipVoteIntervalMs: 100,
      leadershipTransferWaitTimeout: 1000,
      mappedFileSizeForEntryIndex: 167772160,
    });
  });

  it("parses the peers in their written order; the address is everything after the first dash", () => {
    expect(parsePeers("n1-my-host:1;n0-127.0.0.1:2")).toEqual([
      { id: "n1", addr: "my-host:1", host: "my-host", port: 1 },
      { id: "n0", addr: "127.0.0.1:2", host: "127.0.0.1", port: 2 },
    ]);
  });

  it("refuses bad values naming the key", () => {
    expect(refusedKey(() => createDLedgerConfig({ peers: "n0:127.0.0.1:1" }))).toBe("peers");
    expect(refusedKey(() => createDLedgerConfig({ peers: "n0-127.0.0.1" }))).toBe("peers");
    expect(refusedKey(() => createDLedgerConfig({ peers: "n0-h:1;n0-h:2" }))).toBe("peers");
    expect(refusedKey(() => createDLedgerConfig({ peers: PEERS, selfId: "n3" }))).toBe("selfId");
    expect(refusedKey(() => createDLedgerConfig({ minVoteIntervalMs: 1000 }))).toBe("maxVoteIntervalMs");
    expect(refusedKey(() => createDLedgerConfig({ heartBeatTimeIntervalMs: 0 }))).toBe("heartBeatTimeIntervalMs");
    expect(refusedKey(() => dledgerConfigFromProperties(new Map([["maxHeartBeatLeak", "x"]])))).toBe(
      "maxHeartBeatLeak",
    );
  });

  it("derives the store paths from storeBaseDir and selfId", () => {
    const c = createDLedgerConfig({ peers: PEERS, selfId: "n1", storeBaseDir: "/s" });
    expect(dledgerDefaultPath(c)).toBe("/s/dledger-n1");
    expect(dledgerDataStorePath(c)).toBe("/s/dledger-n1/data");
    expect(dledgerIndexStorePath(c)).toBe("/s/dledger-n1/index");
    expect(dledgerSelfAddress(c)).toBe("127.0.0.1:24942");
  });
});

describe("RocketMQ's mapping from MessageStoreConfig", () => {
  const store = (over: Record<string, unknown>) => ({ ...configDefaults(messageStoreConfigSpec({})), ...over });

  it("maps the captured broker's keys", () => {
    const c = dledgerConfigFromMessageStore(
      store({
        dLegerGroup: "RaftNode00",
        dLegerPeers: PEERS,
        dLegerSelfId: "n2",
        storePathRootDir: "store",
        preferredLeaderId: "n0",
        enableBatchPush: true,
      }),
    );
    expect(c).toMatchObject({
      group: "RaftNode00",
      selfId: "n2",
      peers: PEERS,
      storeBaseDir: "store",
      preferredLeaderIds: "n0",
      enableBatchPush: true,
      fileReservedHours: 73,
      diskSpaceRatioToCheckExpired: 0.75,
    });
    expect(dledgerDefaultPath(c)).toBe("store/dledger-n2");
    expect(dledgerFollowerBrokerId("n2")).toBe(3);
  });

  it("refuses missing or bad dLeger keys naming the broker key", () => {
    expect(refusedKey(() => dledgerConfigFromMessageStore(store({ dLegerPeers: PEERS, dLegerSelfId: "n0" })))).toBe(
      "dLegerGroup",
    );
    expect(refusedKey(() => dledgerConfigFromMessageStore(store({ dLegerGroup: "g", dLegerSelfId: "n0" })))).toBe(
      "dLegerPeers",
    );
    expect(
      refusedKey(() =>
        dledgerConfigFromMessageStore(store({ dLegerGroup: "g", dLegerPeers: PEERS, dLegerSelfId: "n7" })),
      ),
    ).toBe("dLegerSelfId");
    expect(
      refusedKey(() =>
        dledgerConfigFromMessageStore(store({ dLegerGroup: "g", dLegerPeers: "a-h:1", dLegerSelfId: "a" })),
      ),
    ).toBe("dLegerSelfId");
    expect(
      refusedKey(() =>
        dledgerConfigFromMessageStore(store({ dLegerGroup: "g", dLegerPeers: "n0-h", dLegerSelfId: "n0" })),
      ),
    ).toBe("dLegerPeers");
  });
});
