import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { newTopicConfig, type TopicConfig } from "@rocketmq-ts/common";
import type { Connection } from "@rocketmq-ts/remoting";
import { RouteInfoManager } from "@rocketmq-ts/namesrv";

const silent = pino({ level: "silent" });

function fakeConnection(): Connection {
  let closed = false;
  return {
    close: () => {
      closed = true;
    },
    get isClosed() {
      return closed;
    },
  } as unknown as Connection;
}

function wrapper(topics: TopicConfig[], counter = 1) {
  return { dataVersion: { timestamp: 1000, counter }, topicConfigTable: new Map(topics.map((t) => [t.topicName, t])) };
}

/** 2 clusters × 2 broker sets, each a master (id 0) and a slave (id 1). */
function cluster(now: { t: number }) {
  const rim = new RouteInfoManager(silent, () => now.t);
  const conns = new Map<string, Connection>();
  const sets = [
    { cluster: "c1", name: "c1-a", port: 10911 },
    { cluster: "c1", name: "c1-b", port: 10921 },
    { cluster: "c2", name: "c2-a", port: 11911 },
    { cluster: "c2", name: "c2-b", port: 11921 },
  ];
  for (const s of sets) {
    const topics = [
      newTopicConfig("Shared", { readQueueNums: 4, writeQueueNums: 4 }),
      newTopicConfig(`Only-${s.cluster}`),
    ];
    for (const id of [0, 1]) {
      const addr = `127.0.0.${id + 1}:${s.port}`;
      const conn = fakeConnection();
      conns.set(addr, conn);
      rim.registerBroker({
        clusterName: s.cluster,
        brokerAddr: addr,
        brokerName: s.name,
        brokerId: id,
        haServerAddr: `127.0.0.${id + 1}:${s.port + 1}`,
        topicConfigWrapper: wrapper(topics),
        filterServerList: [],
        connection: conn,
      });
    }
  }
  return { rim, conns };
}

describe("RouteInfoManager", () => {
  it("assembles routes across 2 clusters × 2 broker sets × master/slave", () => {
    const { rim } = cluster({ t: 0 });
    const shared = rim.pickupTopicRouteData("Shared");
    expect(shared?.queueDatas.map((q) => q.brokerName)).toEqual(["c1-a", "c1-b", "c2-a", "c2-b"]);
    expect(shared?.brokerDatas.map((b) => [b.brokerName, b.cluster, [...b.brokerAddrs]])).toEqual([
      [
        "c1-a",
        "c1",
        [
          [0, "127.0.0.1:10911"],
          [1, "127.0.0.2:10911"],
        ],
      ],
      [
        "c1-b",
        "c1",
        [
          [0, "127.0.0.1:10921"],
          [1, "127.0.0.2:10921"],
        ],
      ],
      [
        "c2-a",
        "c2",
        [
          [0, "127.0.0.1:11911"],
          [1, "127.0.0.2:11911"],
        ],
      ],
      [
        "c2-b",
        "c2",
        [
          [0, "127.0.0.1:11921"],
          [1, "127.0.0.2:11921"],
        ],
      ],
    ]);
    expect(rim.pickupTopicRouteData("Only-c2")?.queueDatas.map((q) => q.brokerName)).toEqual(["c2-a", "c2-b"]);
    expect(rim.pickupTopicRouteData("Missing")).toBeNull();
    expect(rim.getTopicsByCluster("c1").sort()).toEqual(["Only-c1", "Shared"]);
    const info = rim.getAllClusterInfo();
    expect([...info.clusterAddrTable]).toEqual([
      ["c1", ["c1-a", "c1-b"]],
      ["c2", ["c2-a", "c2-b"]],
    ]);
  });

  it("answers a slave's registration with its master's address and HA address", () => {
    const rim = new RouteInfoManager(silent);
    const base = {
      clusterName: "c",
      brokerName: "b",
      topicConfigWrapper: wrapper([]),
      filterServerList: null,
      connection: null,
    };
    expect(
      rim.registerBroker({ ...base, brokerAddr: "10.0.0.2:10911", brokerId: 1, haServerAddr: "10.0.0.2:10912" }),
    ).toEqual({});
    rim.registerBroker({ ...base, brokerAddr: "10.0.0.1:10911", brokerId: 0, haServerAddr: "10.0.0.1:10912" });
    expect(
      rim.registerBroker({ ...base, brokerAddr: "10.0.0.2:10911", brokerId: 1, haServerAddr: "10.0.0.2:10912" }),
    ).toEqual({
      masterAddr: "10.0.0.1:10911",
      haServerAddr: "10.0.0.1:10912",
    });
  });

  it("ignores slave topic configs and only rebuilds queue data when the data version changes", () => {
    const rim = new RouteInfoManager(silent);
    const base = { clusterName: "c", brokerName: "b", filterServerList: null, connection: null, haServerAddr: "h" };
    rim.registerBroker({
      ...base,
      brokerAddr: "m:1",
      brokerId: 0,
      topicConfigWrapper: wrapper([newTopicConfig("T")], 1),
    });
    rim.registerBroker({
      ...base,
      brokerAddr: "s:1",
      brokerId: 1,
      topicConfigWrapper: wrapper([newTopicConfig("SlaveOnly")], 1),
    });
    expect(rim.pickupTopicRouteData("SlaveOnly")).toBeNull();
    // wipe write perm sticks until the master registers a changed data version
    expect(rim.operateWritePermOfBroker("b", "wipe")).toBe(1);
    rim.registerBroker({
      ...base,
      brokerAddr: "m:1",
      brokerId: 0,
      topicConfigWrapper: wrapper([newTopicConfig("T")], 1),
    });
    expect(rim.pickupTopicRouteData("T")?.queueDatas[0]?.perm).toBe(4);
    rim.registerBroker({
      ...base,
      brokerAddr: "m:1",
      brokerId: 0,
      topicConfigWrapper: wrapper([newTopicConfig("T")], 2),
    });
    expect(rim.pickupTopicRouteData("T")?.queueDatas[0]?.perm).toBe(6);
    expect(rim.operateWritePermOfBroker("b", "add")).toBe(1);
  });

  it("keeps the topic with only the slave when the master's connection closes", () => {
    const { rim, conns } = cluster({ t: 0 });
    rim.onChannelDestroy("x", conns.get("127.0.0.1:10911") as Connection);
    const route = rim.pickupTopicRouteData("Shared");
    expect([...(route?.brokerDatas[0]?.brokerAddrs ?? [])]).toEqual([[1, "127.0.0.2:10911"]]);
    expect(route?.queueDatas.length).toBe(4);
    // the slave goes too: broker set c1-a disappears from topics and cluster
    rim.onChannelDestroy("127.0.0.2:10911", null);
    expect(rim.pickupTopicRouteData("Shared")?.queueDatas.map((q) => q.brokerName)).toEqual(["c1-b", "c2-a", "c2-b"]);
    expect(rim.clusterAddrTable.get("c1")).toEqual(new Set(["c1-b"]));
  });

  it("expires brokers silent for more than 120 s and closes their connections", () => {
    const now = { t: 0 };
    const { rim, conns } = cluster(now);
    now.t = 100_000;
    for (const addr of ["127.0.0.1:10911", "127.0.0.2:10911", "127.0.0.1:10921", "127.0.0.2:10921"]) {
      rim.updateBrokerInfoUpdateTimestamp(addr);
    }
    now.t = 120_001;
    const expired = rim.scanNotActiveBroker();
    expect(expired.sort()).toEqual(["127.0.0.1:11911", "127.0.0.1:11921", "127.0.0.2:11911", "127.0.0.2:11921"]);
    expect(conns.get("127.0.0.1:11911")?.isClosed).toBe(true);
    expect(rim.pickupTopicRouteData("Only-c2")).toBeNull();
    expect(rim.clusterAddrTable.has("c2")).toBe(false);
    expect(rim.pickupTopicRouteData("Shared")?.queueDatas.length).toBe(2);
  });

  it("unregisters brokers and deletes topics by cluster", () => {
    const { rim } = cluster({ t: 0 });
    rim.deleteTopic("Shared", "c1");
    expect(rim.pickupTopicRouteData("Shared")?.queueDatas.map((q) => q.brokerName)).toEqual(["c2-a", "c2-b"]);
    rim.deleteTopic("Shared");
    expect(rim.pickupTopicRouteData("Shared")).toBeNull();
    rim.unregisterBroker("c1", "127.0.0.1:10911", "c1-a", 0);
    rim.unregisterBroker("c1", "127.0.0.2:10911", "c1-a", 1);
    expect(rim.brokerAddrTable.has("c1-a")).toBe(false);
    expect(rim.pickupTopicRouteData("Only-c1")?.queueDatas.map((q) => q.brokerName)).toEqual(["c1-b"]);
  });

  it("moves an address to its new id when a slave is promoted", () => {
    const rim = new RouteInfoManager(silent);
    const base = {
      clusterName: "c",
      brokerName: "b",
      filterServerList: null,
      connection: null,
      haServerAddr: "h",
      topicConfigWrapper: null,
    };
    rim.registerBroker({ ...base, brokerAddr: "s:1", brokerId: 1 });
    rim.registerBroker({ ...base, brokerAddr: "s:1", brokerId: 0 });
    expect([...(rim.brokerAddrTable.get("b")?.brokerAddrs ?? [])]).toEqual([[0, "s:1"]]);
  });
});
