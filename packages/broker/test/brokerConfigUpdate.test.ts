/**
 * UPDATE_BROKER_CONFIG's write-back of the -c file, as Java's Configuration.update does it (found by
 * test/chaos bad-peers, whose random bodies ended up in broker.properties, each with an fsync on
 * the broker's only thread): keys the broker does not know are dropped, every earlier update stays
 * in the file, and an update that changes nothing there does not write it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  configDefaults,
  nettyClientConfigSpec,
  nettyServerConfigSpecFor,
  parsePropertiesFile,
} from "@rocketmq-ts/common";
import { messageStoreConfigSpec } from "@rocketmq-ts/store";
import { BrokerController } from "../src/BrokerController.js";
import { brokerConfigSpec } from "../src/config/BrokerConfig.js";

const roots: string[] = [];
afterEach(() => {
  while (roots.length) rmSync(roots.pop() as string, { recursive: true, force: true });
});

/** A constructed (not started) broker whose -c file holds `lines`. */
function brokerWithConfigFile(lines: string[]): { controller: BrokerController; file: string } {
  const root = mkdtempSync(join(tmpdir(), "broker-config-update-"));
  roots.push(root);
  const file = join(root, "broker.properties");
  writeFileSync(file, lines.join("\n") + "\n");
  const controller = new BrokerController({
    configFilePath: file,
    fileProperties: parsePropertiesFile(readFileSync(file)),
    brokerConfig: { ...configDefaults(brokerConfigSpec({})), namesrvAddr: null },
    nettyServerConfig: configDefaults(nettyServerConfigSpecFor(10911)),
    nettyClientConfig: configDefaults(nettyClientConfigSpec),
    messageStoreConfig: { ...configDefaults(messageStoreConfigSpec({})), storePathRootDir: join(root, "store") },
    logger: pino({ level: "silent" }),
  });
  return { controller, file };
}

describe("UPDATE_BROKER_CONFIG writes the -c file back as Java does", () => {
  it("keeps keys of the file and of the config, drops keys nobody knows", () => {
    const { controller, file } = brokerWithConfigFile(["brokerName=broker-a", "myOwnKey=kept"]);
    controller.configuration.update(
      new Map([
        ["fileReservedTime", "12"],
        ["myOwnKey", "changed"],
        ["\u0000garbage\u00e9", "\u0001x"],
        ["notAConfigKey", "1"],
      ]),
    );
    const written = parsePropertiesFile(readFileSync(file));
    expect(written.get("brokerName")).toBe("broker-a");
    expect(written.get("fileReservedTime")).toBe("12");
    expect(written.get("myOwnKey")).toBe("changed");
    expect(written.has("notAConfigKey")).toBe(false);
    expect([...written.keys()].filter((k) => k.includes("garbage"))).toEqual([]);
    expect(controller.storeConfig.fileReservedTime).toBe(12);
  });

  it("keeps an earlier update when a later one changes another key", () => {
    const { controller, file } = brokerWithConfigFile(["brokerName=broker-a"]);
    controller.configuration.update(new Map([["fileReservedTime", "12"]]));
    controller.configuration.update(new Map([["slaveReadEnable", "true"]]));
    const written = parsePropertiesFile(readFileSync(file));
    expect(written.get("fileReservedTime")).toBe("12");
    expect(written.get("slaveReadEnable")).toBe("true");
  });

  it("does not rewrite the file for an update whose keys nobody knows", () => {
    const { controller, file } = brokerWithConfigFile(["brokerName=broker-a"]);
    const before = readFileSync(file, "utf8");
    controller.configuration.update(
      new Map([
        ["\u0000garbage", "x"],
        ["notAConfigKey", "1"],
      ]),
    );
    // string2File keeps the previous content as .bak: none means the file was left alone
    expect(existsSync(`${file}.bak`)).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(before);
    controller.configuration.update(new Map([["fileReservedTime", "12"]]));
    expect(existsSync(`${file}.bak`)).toBe(true);
  });
});
