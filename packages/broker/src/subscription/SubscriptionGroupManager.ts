/** Consumer-group configurations (subscriptionGroup.json), with Java's built-in groups and auto-creation. */
import { join } from "node:path";
import {
  bool,
  dataVersionEquals,
  decodeDataVersion,
  entries,
  newDataVersion,
  nextDataVersion,
  num,
  obj,
  str,
  type DataVersion,
} from "@rocketmq-ts/common";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigFile } from "../ConfigFile.js";

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
}

export function newSubscriptionGroupConfig(
  groupName: string,
  init: Partial<SubscriptionGroupConfig> = {},
): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    ...init,
  };
}

export function decodeSubscriptionGroupConfig(v: JsonValue | undefined, path: string): SubscriptionGroupConfig {
  const o = obj(v, path);
  const d = newSubscriptionGroupConfig(str(o["groupName"], `${path}.groupName`));
  return {
    groupName: d.groupName,
    consumeEnable: bool(o["consumeEnable"], `${path}.consumeEnable`, d.consumeEnable),
    consumeFromMinEnable: bool(o["consumeFromMinEnable"], `${path}.consumeFromMinEnable`, d.consumeFromMinEnable),
    consumeBroadcastEnable: bool(
      o["consumeBroadcastEnable"],
      `${path}.consumeBroadcastEnable`,
      d.consumeBroadcastEnable,
    ),
    retryQueueNums: num(o["retryQueueNums"], `${path}.retryQueueNums`, d.retryQueueNums),
    retryMaxTimes: num(o["retryMaxTimes"], `${path}.retryMaxTimes`, d.retryMaxTimes),
    brokerId: num(o["brokerId"], `${path}.brokerId`, d.brokerId),
    whichBrokerWhenConsumeSlowly: num(
      o["whichBrokerWhenConsumeSlowly"],
      `${path}.whichBrokerWhenConsumeSlowly`,
      d.whichBrokerWhenConsumeSlowly,
    ),
    notifyConsumerIdsChangedEnable: bool(
      o["notifyConsumerIdsChangedEnable"],
      `${path}.notifyConsumerIdsChangedEnable`,
      d.notifyConsumerIdsChangedEnable,
    ),
  };
}

const BUILT_IN_GROUPS = [
  "TOOLS_CONSUMER",
  "FILTERSRV_CONSUMER",
  "SELF_TEST_C_GROUP",
  "CID_ONS-HTTP-PROXY",
  "CID_ONSAPI_PULL",
  "CID_ONSAPI_PERMISSION",
  "CID_ONSAPI_OWNER",
];

export class SubscriptionGroupManager {
  readonly subscriptionGroupTable = new Map<string, SubscriptionGroupConfig>();
  dataVersion: DataVersion = newDataVersion();
  private readonly file: ConfigFile;

  constructor(
    storeRoot: string,
    private readonly autoCreate: () => boolean,
    private readonly logger: Logger,
  ) {
    this.file = new ConfigFile(join(storeRoot, "config", "subscriptionGroup.json"), logger);
    for (const g of BUILT_IN_GROUPS) this.subscriptionGroupTable.set(g, newSubscriptionGroupConfig(g));
  }

  private static decode(json: JsonValue): { dataVersion: DataVersion | undefined; table: SubscriptionGroupConfig[] } {
    const o = obj(json, "subscriptionGroup.json");
    return {
      dataVersion: o["dataVersion"] === undefined ? undefined : decodeDataVersion(o["dataVersion"]),
      table: entries(o["subscriptionGroupTable"], "subscriptionGroupTable").map(([name, v]) =>
        decodeSubscriptionGroupConfig(v, name),
      ),
    };
  }

  load(): void {
    const loaded = this.file.load(SubscriptionGroupManager.decode);
    if (!loaded) return;
    for (const g of loaded.table) this.subscriptionGroupTable.set(g.groupName, g);
    if (loaded.dataVersion) this.dataVersion = loaded.dataVersion;
  }

  /** Slave: take the master's groups when its data version differs; true if taken. */
  syncFromMaster(json: JsonValue): boolean {
    const master = SubscriptionGroupManager.decode(json);
    if (!master.dataVersion || dataVersionEquals(master.dataVersion, this.dataVersion)) return false;
    this.subscriptionGroupTable.clear();
    for (const g of master.table) this.subscriptionGroupTable.set(g.groupName, g);
    this.dataVersion = { ...master.dataVersion };
    this.persist();
    return true;
  }

  persist(): void {
    this.file.persist({ dataVersion: this.dataVersion, subscriptionGroupTable: this.subscriptionGroupTable });
  }

  /** The group's config, auto-created with defaults when `autoCreateSubscriptionGroup` (Java default). */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    let config = this.subscriptionGroupTable.get(group);
    if (!config && this.autoCreate()) {
      config = newSubscriptionGroupConfig(group);
      this.subscriptionGroupTable.set(group, config);
      this.logger.info({ config }, "auto create a subscription group");
      this.dataVersion = nextDataVersion(this.dataVersion);
      this.persist();
    }
    return config;
  }

  updateSubscriptionGroupConfig(config: SubscriptionGroupConfig): void {
    this.subscriptionGroupTable.set(config.groupName, config);
    this.dataVersion = nextDataVersion(this.dataVersion);
    this.persist();
  }

  deleteSubscriptionGroupConfig(group: string): void {
    if (this.subscriptionGroupTable.delete(group)) {
      this.dataVersion = nextDataVersion(this.dataVersion);
      this.persist();
    }
  }
}
