/**
 * The broker's persisted config tables (config/*.json): what each manager writes, how it loads a
 * Java-written file (and its .bak), and how the versioned ones take a master's copy.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configDefaults, newTopicConfig, parseHost } from "@rocketmq-ts/common";
import { parseFastjson, type JsonValue } from "@rocketmq-ts/remoting";
import { DefaultMessageStore, messageStoreConfigSpec } from "@rocketmq-ts/store";
import {
  brokerConfigSpec,
  ConsumerOffsetManager,
  SubscriptionGroupManager,
  TopicConfigManager,
} from "@rocketmq-ts/broker";
import { ConsumerFilterManager } from "../src/filter/ConsumerFilterManager.js";
import { ScheduleMessageService } from "../src/schedule/ScheduleMessageService.js";
import { unpackFixture } from "../../../test/support/storeFixtures.js";

const logger = pino({ level: "silent" });
const NOW = 1_800_000_000_000;
const cleanups: (() => void)[] = [];
let javaConfig: string;
let root: string;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: NOW });
  const fixture = unpackFixture("basic");
  cleanups.push(fixture.cleanup);
  javaConfig = join(fixture.dir, "store", "config");
  root = mkdtempSync(join(tmpdir(), "config-managers-"));
  mkdirSync(join(root, "config"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
});
afterEach(() => {
  vi.useRealTimers();
  while (cleanups.length) cleanups.pop()?.();
});

const javaText = (name: string): string => readFileSync(join(javaConfig, name), "utf8");
const ourPath = (name: string): string => join(root, "config", name);
const ourText = (name: string): string => readFileSync(ourPath(name), "utf8");
/** Put Java's file (not its .bak) into our store's config directory. */
const useJavaFile = (name: string): void => copyFileSync(join(javaConfig, name), ourPath(name));
const brokerConfig = () => ({
  ...configDefaults(brokerConfigSpec({})),
  brokerName: "broker-fix",
  brokerClusterName: "FixCluster",
});
/** Keys of a table in a config file, in file order. */
const tableKeys = (text: string, table: string): string[] => [
  ...((parseFastjson(text, { preserve: true }) as Map<string, Map<string, JsonValue>>).get(table)?.keys() ?? []),
];

describe("ConsumerOffsetManager (consumerOffset.json)", () => {
  it("persists a Java-written file back byte for byte, keeping the old content as .bak", () => {
    useJavaFile("consumerOffset.json");
    const m = new ConsumerOffsetManager(root, logger);
    m.load();
    expect(m.queryOffset("fix_cg_partial", "FixTopic", 3)).toBe(23);
    m.persist();
    expect(ourText("consumerOffset.json")).toBe(javaText("consumerOffset.json"));
    expect(readFileSync(ourPath("consumerOffset.json.bak"), "utf8")).toBe(javaText("consumerOffset.json"));
  });

  it("loads the .bak when the file is gone, and writes committed offsets with bare queue ids", () => {
    useJavaFile("consumerOffset.json");
    copyFileSync(ourPath("consumerOffset.json"), ourPath("consumerOffset.json.bak"));
    unlinkSync(ourPath("consumerOffset.json"));
    const m = new ConsumerOffsetManager(root, logger);
    m.load();
    expect(m.queryOffset("fix_cg_all", "%RETRY%fix_cg_all", 0)).toBe(1);
    unlinkSync(ourPath("consumerOffset.json.bak"));
    const fresh = new ConsumerOffsetManager(root, logger);
    fresh.commitOffset("g", "T", 1, 7);
    fresh.commitOffset("g", "T", 0, 3);
    fresh.persist();
    expect(ourText("consumerOffset.json")).toBe('{\n\t"offsetTable":{\n\t\t"T@g":{1:7,0:3\n\t\t}\n\t}\n}');
  });

  it("falls back to the .bak when the file does not decode, and refuses to start on no good copy", () => {
    writeFileSync(ourPath("consumerOffset.json"), '{"offsetTable":{"T@g":{0:"x"}}}');
    copyFileSync(join(javaConfig, "consumerOffset.json"), ourPath("consumerOffset.json.bak"));
    const m = new ConsumerOffsetManager(root, logger);
    m.load();
    expect(m.queryOffset("fix_cg_all", "FixTopic", 1)).toBe(276);
    expect(m.queryOffset("g", "T", 0)).toBe(-1);
    writeFileSync(ourPath("consumerOffset.json.bak"), "{broken");
    const none = new ConsumerOffsetManager(root, logger);
    expect(() => none.load()).toThrow();
    expect(none.offsetTable.size).toBe(0);
  });

  it("syncFromMaster takes the master's entries over its own and keeps its own other keys", () => {
    const m = new ConsumerOffsetManager(root, logger);
    m.commitOffset("g", "Mine", 0, 1);
    m.commitOffset("fix_cg_all", "FixTopic", 0, 5);
    m.syncFromMaster(parseFastjson(javaText("consumerOffset.json")));
    expect(m.queryOffset("g", "Mine", 0)).toBe(1);
    expect(m.queryOffset("fix_cg_all", "FixTopic", 0)).toBe(271);
    expect(existsSync(ourPath("consumerOffset.json"))).toBe(true);
  });
});

describe("ScheduleMessageService (delayOffset.json)", () => {
  it("persists a Java-written file back byte for byte, levels in ascending order", () => {
    useJavaFile("delayOffset.json");
    const store = new DefaultMessageStore(
      { ...configDefaults(messageStoreConfigSpec()), storePathRootDir: root },
      { logger, storeHost: parseHost("127.0.0.1:10911") },
    );
    const s = new ScheduleMessageService(store, "1s 5s 10s 30s", root, 10_000, logger);
    s.load();
    expect([...s.offsetTable]).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    s.persist();
    expect(ourText("delayOffset.json")).toBe(javaText("delayOffset.json"));
    s.offsetTable.set(4, 9);
    s.offsetTable.delete(1);
    s.offsetTable.set(1, 2);
    s.persist();
    expect(ourText("delayOffset.json")).toBe('{\n\t"offsetTable":{1:2,2:1,3:1,4:9\n\t}\n}');
  });
});

describe("ConsumerFilterManager (consumerFilter.json)", () => {
  it("writes a Java-written file back as 4.9.8 does, without the bloom filter data", () => {
    useJavaFile("consumerFilter.json");
    const m = new ConsumerFilterManager(root, logger, () => Number.MAX_SAFE_INTEGER);
    m.load();
    expect(m.get("FixTopic", "fix_cg_sql")?.compiled).not.toBeNull();
    m.persist();
    const withoutBloom = javaText("consumerFilter.json").replace(/\t*"bloomFilterData":\{[^}]*\},\n/, "");
    expect(withoutBloom).not.toBe(javaText("consumerFilter.json"));
    expect(ourText("consumerFilter.json")).toBe(withoutBloom);
  });

  it("drops filters dead for longer than the clean time span when it persists", () => {
    useJavaFile("consumerFilter.json");
    const m = new ConsumerFilterManager(root, logger, () => 1000);
    m.load();
    m.persist();
    expect(ourText("consumerFilter.json")).toBe('{\n\t"filterDataByTopic":{}\n}');
    expect(m.filterDataByTopic.size).toBe(0);
  });
});

describe("TopicConfigManager (topics.json)", () => {
  const SYSTEM_TOPICS = [
    "SELF_TEST_TOPIC",
    "TBW102",
    "BenchmarkTest",
    "FixCluster",
    "broker-fix",
    "OFFSET_MOVED_EVENT",
    "SCHEDULE_TOPIC_XXXX",
    "FixCluster_REPLY_TOPIC",
  ];

  it("writes the data version and every topic, system topics first, one property per line", () => {
    const m = new TopicConfigManager(brokerConfig(), root, logger);
    expect([...m.topicConfigTable.keys()]).toEqual(SYSTEM_TOPICS);
    m.updateTopicConfig(newTopicConfig("T1", { readQueueNums: 2, writeQueueNums: 3 }));
    const text = ourText("topics.json");
    expect(
      text.startsWith(`{\n\t"dataVersion":{\n\t\t"counter":1,\n\t\t"timestamp":${NOW}\n\t},\n\t"topicConfigTable":{\n`),
    ).toBe(true);
    expect(
      text.endsWith(
        '\t\t"T1":{\n\t\t\t"order":false,\n\t\t\t"perm":6,\n\t\t\t"readQueueNums":2,\n\t\t\t"topicFilterType":"SINGLE_TAG",' +
          '\n\t\t\t"topicName":"T1",\n\t\t\t"topicSysFlag":0,\n\t\t\t"writeQueueNums":3\n\t\t}\n\t}\n}',
      ),
    ).toBe(true);
    expect(tableKeys(text, "topicConfigTable")).toEqual([...SYSTEM_TOPICS, "T1"]);
  });

  it("loads a Java-written file: its topics and data version, over the system topics", () => {
    useJavaFile("topics.json");
    const m = new TopicConfigManager(brokerConfig(), root, logger);
    m.load();
    expect(m.dataVersion).toEqual({ counter: 5, timestamp: 1795396138060 });
    expect(m.selectTopicConfig("FixTopic")).toMatchObject({ readQueueNums: 4, perm: 6 });
    m.persist();
    const java = parseFastjson(javaText("topics.json"), { preserve: true }) as Map<string, Map<string, JsonValue>>;
    const ours = parseFastjson(ourText("topics.json"), { preserve: true }) as Map<string, Map<string, JsonValue>>;
    expect(ours.get("dataVersion")).toEqual(java.get("dataVersion"));
    const javaTopics = [...(java.get("topicConfigTable") as Map<string, JsonValue>).keys()];
    const ourTopics = [...(ours.get("topicConfigTable") as Map<string, JsonValue>).keys()];
    expect(ourTopics).toEqual([...SYSTEM_TOPICS, ...javaTopics.filter((t) => !SYSTEM_TOPICS.includes(t))]);
    for (const t of javaTopics)
      expect((ours.get("topicConfigTable") as Map<string, JsonValue>).get(t), t).toEqual(
        (java.get("topicConfigTable") as Map<string, JsonValue>).get(t),
      );
  });

  it("bumps the data version on every change and takes a master's table only when its version differs", () => {
    const m = new TopicConfigManager(brokerConfig(), root, logger);
    m.updateTopicConfig(newTopicConfig("T1"));
    vi.setSystemTime(NOW + 5);
    expect(m.deleteTopicConfig("T1")).toBe(true);
    expect(m.deleteTopicConfig("T1")).toBe(false);
    expect(m.dataVersion).toEqual({ counter: 2, timestamp: NOW + 5 });
    const master = parseFastjson(javaText("topics.json"));
    expect(m.syncFromMaster(master)).toBe(true);
    expect(m.dataVersion).toEqual({ counter: 5, timestamp: 1795396138060 });
    // the master's table replaces ours, in the master's order
    expect([...m.topicConfigTable.keys()]).toEqual(tableKeys(javaText("topics.json"), "topicConfigTable"));
    expect(ourText("topics.json")).toContain('"counter":5');
    unlinkSync(ourPath("topics.json"));
    expect(m.syncFromMaster(master)).toBe(false);
    expect(existsSync(ourPath("topics.json"))).toBe(false);
  });
});

describe("SubscriptionGroupManager (subscriptionGroup.json)", () => {
  it("writes the data version and the groups, built-in groups first", () => {
    const m = new SubscriptionGroupManager(root, () => true, logger);
    expect(m.findSubscriptionGroupConfig("g1")?.groupName).toBe("g1");
    const text = ourText("subscriptionGroup.json");
    expect(
      text.startsWith(
        `{\n\t"dataVersion":{\n\t\t"counter":1,\n\t\t"timestamp":${NOW}\n\t},\n\t"subscriptionGroupTable":{\n\t\t"TOOLS_CONSUMER":{\n`,
      ),
    ).toBe(true);
    expect(
      text.endsWith(
        '\t\t"g1":{\n\t\t\t"brokerId":0,\n\t\t\t"consumeBroadcastEnable":true,\n\t\t\t"consumeEnable":true,' +
          '\n\t\t\t"consumeFromMinEnable":true,\n\t\t\t"groupName":"g1",\n\t\t\t"notifyConsumerIdsChangedEnable":true,' +
          '\n\t\t\t"retryMaxTimes":16,\n\t\t\t"retryQueueNums":1,\n\t\t\t"whichBrokerWhenConsumeSlowly":1\n\t\t}\n\t}\n}',
      ),
    ).toBe(true);
  });

  it("loads a Java-written file and writes its groups back unchanged", () => {
    useJavaFile("subscriptionGroup.json");
    const m = new SubscriptionGroupManager(root, () => false, logger);
    m.load();
    expect(m.dataVersion).toEqual({ counter: 3, timestamp: 1795396120382 });
    m.persist();
    const java = parseFastjson(javaText("subscriptionGroup.json"), { preserve: true }) as Map<string, JsonValue>;
    const ours = parseFastjson(ourText("subscriptionGroup.json"), { preserve: true }) as Map<string, JsonValue>;
    expect(ours.get("dataVersion")).toEqual(java.get("dataVersion"));
    const javaGroups = java.get("subscriptionGroupTable") as Map<string, JsonValue>;
    const ourGroups = ours.get("subscriptionGroupTable") as Map<string, JsonValue>;
    expect(new Set(ourGroups.keys())).toEqual(new Set(javaGroups.keys()));
    for (const [g, v] of javaGroups) expect(ourGroups.get(g), g).toEqual(v);
  });

  it("changes bump the data version; a master's copy is taken only when its version differs", () => {
    const m = new SubscriptionGroupManager(root, () => false, logger);
    expect(m.findSubscriptionGroupConfig("g1")).toBeUndefined();
    expect(m.dataVersion.counter).toBe(0);
    m.deleteSubscriptionGroupConfig("nope");
    expect(m.dataVersion.counter).toBe(0);
    m.deleteSubscriptionGroupConfig("TOOLS_CONSUMER");
    expect(m.dataVersion.counter).toBe(1);
    const master = parseFastjson(javaText("subscriptionGroup.json"));
    expect(m.syncFromMaster(master)).toBe(true);
    expect(m.syncFromMaster(master)).toBe(false);
    expect(m.subscriptionGroupTable.has("fix_cg_sql")).toBe(true);
    expect(m.dataVersion).toEqual({ counter: 3, timestamp: 1795396120382 });
  });
});
