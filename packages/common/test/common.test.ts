import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyProperties,
  bindConfig,
  configDefaults,
  configLines,
  ConfigError,
  decodeRegisterBrokerBody,
  encodeRegisterBrokerBody,
  loadWithBackup,
  newTopicConfig,
  parseProperties,
  perm2String,
  string2File,
  systemProperty,
  userHome,
  type ConfigSpec,
} from "@rocketmq-ts/common";

describe("Java properties", () => {
  it("parses separators, comments, escapes and continuations like java.util.Properties", () => {
    const props = parseProperties(
      [
        "# comment",
        "! also comment",
        "brokerName=broker-a",
        "brokerClusterName : DefaultCluster",
        "deleteWhen 04",
        "  spaced\\ key = v",
        "fileReservedTime=48 ",
        "multi=a,\\",
        "     b",
        "unicode=\\u0041\\tz",
        "empty=",
      ].join("\n"),
    );
    expect(Object.fromEntries(props)).toEqual({
      brokerName: "broker-a",
      brokerClusterName: "DefaultCluster",
      deleteWhen: "04",
      "spaced key": "v",
      fileReservedTime: "48 ",
      multi: "a,b",
      unicode: "A\tz",
      empty: "",
    });
  });
});

describe("config binding", () => {
  const spec = {
    listenPort: { type: "int", default: 10911 },
    brokerRole: { type: "string", default: "ASYNC_MASTER", values: ["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"] },
    autoCreateTopicEnable: { type: "boolean", default: true },
    brokerIP1: { type: "string", default: null },
  } as const satisfies ConfigSpec;

  it("applies known keys and reports which were used", () => {
    const config = configDefaults(spec);
    const used = applyProperties(
      config,
      spec,
      new Map([
        ["listenPort", "30911"],
        ["brokerRole", "SLAVE"],
        ["other", "x"],
      ]),
    );
    expect(config).toEqual({ listenPort: 30911, brokerRole: "SLAVE", autoCreateTopicEnable: true, brokerIP1: null });
    expect(used).toEqual(new Set(["listenPort", "brokerRole"]));
  });

  it("refuses values that do not parse, naming the key", () => {
    const bad = (k: string, v: string) => () => applyProperties(configDefaults(spec), spec, new Map([[k, v]]));
    expect(bad("listenPort", "10911 ")).toThrow(/listenPort.*whitespace/);
    expect(bad("listenPort", "99999999999")).toThrow(ConfigError);
    expect(bad("brokerRole", "MASTER")).toThrow(/brokerRole.*ASYNC_MASTER, SYNC_MASTER, SLAVE/);
    expect(bad("autoCreateTopicEnable", "yes")).toThrow(/autoCreateTopicEnable/);
  });

  it("prints a null value as empty, or leaves it out as the config answers do (properties2String)", () => {
    const config = configDefaults(spec);
    expect(configLines(spec, config).at(-1)).toBe("brokerIP1=");
    expect(configLines(spec, config, { omitNull: true })).toEqual([
      "listenPort=10911",
      "brokerRole=ASYNC_MASTER",
      "autoCreateTopicEnable=true",
    ]);
  });

  it("a bound config prints its lines and updates only when every value parses", () => {
    const config = configDefaults(spec);
    const bound = bindConfig(spec, config);
    // a null value is left out, as Java's config answers leave it out
    expect(bound.lines()).toEqual(["listenPort=10911", "brokerRole=ASYNC_MASTER", "autoCreateTopicEnable=true"]);
    expect(() => bound.prepareUpdate(new Map([["listenPort", "x"]]))).toThrow(/listenPort/);
    const apply = bound.prepareUpdate(
      new Map([
        ["brokerIP1", "10.0.0.1"],
        ["other", "x"],
      ]),
    );
    expect(config.brokerIP1).toBeNull(); // prepared on a copy
    apply();
    expect(config).toEqual({ ...configDefaults(spec), brokerIP1: "10.0.0.1" });
    expect(bound.lines()[3]).toBe("brokerIP1=10.0.0.1");
  });
});

describe("persistence", () => {
  it("keeps the previous content as .bak and falls back to it", () => {
    const dir = mkdtempSync(join(tmpdir(), "persist-"));
    try {
      const file = join(dir, "config", "topics.json");
      string2File('{"v":1}', file);
      string2File('{"v":2}', file);
      expect(readFileSync(file, "utf8")).toBe('{"v":2}');
      expect(readFileSync(`${file}.bak`, "utf8")).toBe('{"v":1}');
      expect(existsSync(`${file}.tmp`)).toBe(false);
      writeFileSync(file, "{corrupt");
      expect(loadWithBackup(file, (t) => JSON.parse(t) as { v: number })).toEqual({ v: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("system properties and helpers", () => {
  it("reads -D words from JAVA_OPT / JAVA_OPT_EXT", () => {
    const env = { JAVA_OPT: "-server -Duser.home=/a", JAVA_OPT_EXT: "-Duser.home=/b -Drocketmq.namesrv.addr=x:1" };
    expect(systemProperty("user.home", env)).toBe("/b");
    expect(userHome(env)).toBe("/b");
    expect(systemProperty("rocketmq.namesrv.addr", env)).toBe("x:1");
    expect(perm2String(6)).toBe("RW-");
    expect(perm2String(7)).toBe("RWX");
  });

  it("round-trips plain and compressed registration bodies", () => {
    const table = new Map([["T", newTopicConfig("T", { readQueueNums: 8, writeQueueNums: 4, perm: 7 })]]);
    const body = {
      topicConfigSerializeWrapper: { dataVersion: { timestamp: 5, counter: 2 }, topicConfigTable: table },
      filterServerList: [],
    };
    for (const compressed of [false, true]) {
      const back = decodeRegisterBrokerBody(encodeRegisterBrokerBody(body, compressed), { compressed });
      expect(back.topicConfigSerializeWrapper.dataVersion).toEqual({ timestamp: 5, counter: 2 });
      expect(back.topicConfigSerializeWrapper.topicConfigTable.get("T")).toMatchObject({
        readQueueNums: 8,
        writeQueueNums: 4,
        perm: 7,
      });
    }
    expect(encodeRegisterBrokerBody(body).toString()).toBe(
      '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":2,"timestamp":5},"topicConfigTable":{"T":{"order":false,"perm":7,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":4}}}}',
    );
  });
});
