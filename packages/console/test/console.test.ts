import { describe, expect, it } from "vitest";
import { ConsoleConfigError, parseConsoleArgs } from "../src/config.js";
import { brokerViewOf, firstRate, type ClusterService } from "../src/service/ClusterService.js";
import { StatsHistory } from "../src/service/StatsHistory.js";
import { topicKind } from "../src/service/TopicService.js";

describe("parseConsoleArgs", () => {
  it("takes the dashboard's Spring-style flags, then -n, then NAMESRV_ADDR", () => {
    expect(
      parseConsoleArgs(["--server.port=9090", '--rocketmq.config.namesrvAddr="ns1:9876;ns2:9876"'], {}),
    ).toMatchObject({ port: 9090, host: "0.0.0.0", namesrvAddrs: ["ns1:9876", "ns2:9876"] });
    expect(parseConsoleArgs(["--server.port", "8081", "-n", "a:1"], { NAMESRV_ADDR: "b:2" })).toMatchObject({
      port: 8081,
      namesrvAddrs: ["a:1"],
    });
    expect(parseConsoleArgs([], { NAMESRV_ADDR: "b:2,c:3" })).toMatchObject({
      port: 8080,
      namesrvAddrs: ["b:2", "c:3"],
    });
  });

  it("refuses bad input naming the key", () => {
    const fails = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
      try {
        parseConsoleArgs(argv, env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConsoleConfigError);
        return (err as ConsoleConfigError).key;
      }
      throw new Error("accepted");
    };
    expect(fails(["--server.port=99999", "-n", "a:1"])).toBe("server.port");
    expect(fails(["--server.port=12ab", "-n", "a:1"])).toBe("server.port");
    expect(fails(["--rocketmq.config.namesrvAddr=nohost"])).toBe("rocketmq.config.namesrvAddr");
    expect(fails(["-n", "a:0"])).toBe("-n");
    expect(fails([], { NAMESRV_ADDR: "x" })).toBe("NAMESRV_ADDR");
    expect(fails([])).toBe("rocketmq.config.namesrvAddr");
    expect(fails(["--spring.profiles=x", "-n", "a:1"])).toBe("spring.profiles");
    expect(fails(["--rocketmq.config.collectIntervalMs=10", "-n", "a:1"])).toBe("rocketmq.config.collectIntervalMs");
  });
});

describe("cluster figures", () => {
  it("reads the 10 s figure of a runtime rate and the day's counts", () => {
    expect(firstRate("12.50 11.00 9.87")).toBe(12.5);
    expect(firstRate("")).toBe(0);
    expect(firstRate(undefined)).toBe(0);
    const b = brokerViewOf(
      "c",
      "b",
      0,
      "1.2.3.4:10911",
      new Map([
        ["brokerVersionDesc", "V4_9_8"],
        ["putTps", "3.00 2.00 1.00"],
        ["msgPutTotalYesterdayMorning", "100"],
        ["msgPutTotalTodayMorning", "250"],
        ["commitLogDiskRatio", "0.42"],
      ]),
    );
    expect(b).toMatchObject({ version: "V4_9_8", inTps: 3, outTps: 0, msgPutYesterday: 150, commitLogDiskRatio: 0.42 });
  });

  it("tells topic kinds apart", () => {
    const names = new Set(["DefaultCluster", "broker-a"]);
    expect(topicKind("%RETRY%g", names)).toBe("RETRY");
    expect(topicKind("%DLQ%g", names)).toBe("DLQ");
    expect(topicKind("TBW102", names)).toBe("SYSTEM");
    expect(topicKind("rmq_sys_x", names)).toBe("SYSTEM");
    expect(topicKind("broker-a", names)).toBe("SYSTEM");
    expect(topicKind("TopicTest", names)).toBe("NORMAL");
  });
});

describe("StatsHistory", () => {
  const noCluster = {} as ClusterService;

  it("keeps a bounded window per name and lists the largest latest values first", () => {
    let now = 1_000;
    const h = new StatsHistory(noCluster, 1000, 3, () => now);
    for (let i = 0; i < 5; i++) {
      h.recordValues(
        "groupLag",
        new Map([
          ["a", i],
          ["b", 10 - i],
        ]),
      );
      now += 1000;
    }
    const [first, second] = h.topSeries("groupLag", 2);
    expect(first?.name).toBe("b");
    expect(first?.points.map((p) => p.value)).toEqual([8, 7, 6]);
    expect(second?.points.map((p) => p.t)).toEqual([3_000, 4_000, 5_000]);
    expect(h.topSeries("groupLag", 1).map((s) => s.name)).toEqual(["b"]);
  });

  it("drops a name not seen for a whole window", () => {
    let now = 0;
    const h = new StatsHistory(noCluster, 1000, 3, () => now);
    h.recordValues(
      "topicTps",
      new Map([
        ["gone", 1],
        ["stays", 1],
      ]),
    );
    for (let i = 0; i < 3; i++) {
      now += 1000;
      h.recordValues("topicTps", new Map([["stays", 2]]));
    }
    expect(h.topSeries("topicTps", 10).map((s) => s.name)).toEqual(["stays", "gone"]);
    now += 1000;
    h.recordValues("topicTps", new Map([["stays", 2]]));
    expect(h.topSeries("topicTps", 10).map((s) => s.name)).toEqual(["stays"]);
  });

  it("records each broker's TPS from cluster views, skipping brokers that did not answer", () => {
    let now = 0;
    const h = new StatsHistory(noCluster, 1000, 10, () => now);
    const view = (tps: number) => ({
      clusters: [{ name: "c", brokerNames: ["b"] }],
      brokers: [
        { ...brokerViewOf("c", "b", 0, "x:1", new Map([["putTps", `${tps} 0 0`]])) },
        { ...brokerViewOf("c", "b", 1, "x:2", new Map()), error: "timeout" },
      ],
    });
    h.record(view(5));
    now = 1000;
    h.record(view(7));
    expect(h.brokerSeries()).toEqual([
      {
        broker: "b/0",
        addr: "x:1",
        points: [
          { t: 0, inTps: 5, outTps: 0 },
          { t: 1000, inTps: 7, outTps: 0 },
        ],
      },
    ]);
  });
});
