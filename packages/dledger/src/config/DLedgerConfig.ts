/**
 * DLedgerConfig of dledger 0.3.1.2: the keys, their defaults, the peer list, and the paths derived
 * from them. Bad values are refused with a ConfigError naming the key (where Java would throw at
 * start-up or misbehave later).
 */
import { join } from "node:path";
import { ConfigError, applyProperties, configDefaults, type ConfigOf, type ConfigSpec } from "@rocketmq-ts/common";

export const DLEDGER_CONFIG_SPEC = {
  group: { type: "string", default: "default" },
  selfId: { type: "string", default: "n0" },
  /** `id-host:port;id-host:port;…` */
  peers: { type: "string", default: "n0-localhost:20911" },
  storeBaseDir: { type: "string", default: "/tmp/dledgerstore" },
  readOnlyDataStoreDirs: { type: "string", default: null },
  peerPushThrottlePoint: { type: "int", default: 300 * 1024 * 1024 },
  peerPushQuota: { type: "int", default: 20 * 1024 * 1024 },
  storeType: { type: "string", default: "FILE", values: ["FILE", "MEMORY"] },
  dataStorePath: { type: "string", default: null },
  maxPendingRequestsNum: { type: "int", default: 10000 },
  maxWaitAckTimeMs: { type: "int", default: 2500 },
  maxPushTimeOutMs: { type: "int", default: 1000 },
  enableLeaderElector: { type: "boolean", default: true },
  heartBeatTimeIntervalMs: { type: "int", default: 2000 },
  maxHeartBeatLeak: { type: "int", default: 3 },
  minVoteIntervalMs: { type: "int", default: 300 },
  maxVoteIntervalMs: { type: "int", default: 1000 },
  fileReservedHours: { type: "int", default: 72 },
  deleteWhen: { type: "string", default: "04" },
  diskSpaceRatioToCheckExpired: { type: "double", default: 0.7 },
  diskSpaceRatioToForceClean: { type: "double", default: 0.85 },
  enableDiskForceClean: { type: "boolean", default: true },
  flushFileInterval: { type: "long", default: 10 },
  checkPointInterval: { type: "long", default: 3000 },
  mappedFileSizeForEntryData: { type: "int", default: 1024 * 1024 * 1024 },
  /** INDEX_UNIT_SIZE (32) × 5 × 1024 × 1024. */
  mappedFileSizeForEntryIndex: { type: "int", default: 32 * 5 * 1024 * 1024 },
  enablePushToFollower: { type: "boolean", default: true },
  /** `;`-separated ids; RocketMQ sets it through the deprecated setPreferredLeaderId. */
  preferredLeaderIds: { type: "string", default: null },
  maxLeadershipTransferWaitIndex: { type: "long", default: 1000 },
  minTakeLeadershipVoteIntervalMs: { type: "int", default: 30 },
  maxTakeLeadershipVoteIntervalMs: { type: "int", default: 100 },
  enableBatchPush: { type: "boolean", default: false, fieldName: "isEnableBatchPush" },
  maxBatchPushSize: { type: "int", default: 4 * 1024 },
  leadershipTransferWaitTimeout: { type: "long", default: 1000 },
} as const satisfies ConfigSpec;

export type DLedgerConfig = ConfigOf<typeof DLEDGER_CONFIG_SPEC>;

/** One member of `peers`. */
export interface DLedgerPeer {
  id: string;
  /** `host:port` */
  addr: string;
  host: string;
  port: number;
}

/** DLedgerConfig with Java's defaults, overridden by `init`; validated. */
export function createDLedgerConfig(init: Partial<DLedgerConfig> = {}): DLedgerConfig {
  const config = { ...configDefaults(DLEDGER_CONFIG_SPEC), ...init };
  validateDLedgerConfig(config);
  return config;
}

/** DLedgerConfig from `key=value` properties (Java's field names); validated. */
export function dledgerConfigFromProperties(props: ReadonlyMap<string, string>): DLedgerConfig {
  const config = configDefaults(DLEDGER_CONFIG_SPEC);
  applyProperties(config, DLEDGER_CONFIG_SPEC, props);
  validateDLedgerConfig(config);
  return config;
}

/**
 * The peer list in its written order. Java splits each item at its first `-` (the id) and keeps the
 * rest as the address; an id may not repeat and the address must be `host:port`.
 */
export function parsePeers(peers: string, key = "peers"): DLedgerPeer[] {
  const out: DLedgerPeer[] = [];
  for (const item of peers.split(";")) {
    if (item.length === 0) continue;
    const dash = item.indexOf("-");
    if (dash <= 0 || dash === item.length - 1) {
      throw new ConfigError(key, `Invalid value for config key '${key}': '${item}' is not id-host:port`);
    }
    const id = item.slice(0, dash);
    const addr = item.slice(dash + 1);
    const colon = addr.lastIndexOf(":");
    const port = Number(addr.slice(colon + 1));
    if (colon <= 0 || !/^\d+$/.test(addr.slice(colon + 1)) || port < 1 || port > 65535) {
      throw new ConfigError(key, `Invalid value for config key '${key}': '${addr}' of member ${id} is not host:port`);
    }
    if (out.some((p) => p.id === id)) {
      throw new ConfigError(key, `Invalid value for config key '${key}': member id ${id} appears twice`);
    }
    out.push({ id, addr, host: addr.slice(0, colon), port });
  }
  if (out.length === 0) throw new ConfigError(key, `Invalid value for config key '${key}': no member in '${peers}'`);
  return out;
}

const positive = (config: DLedgerConfig, key: keyof DLedgerConfig): void => {
  const v = config[key];
  if (typeof v !== "number" || !(v > 0)) {
    throw new ConfigError(key, `Invalid value for config key '${key}': ${String(v)} must be greater than 0`);
  }
};

/** Java's start-up checks (selfId among the peers, see DLedgerConfig.init) and the intervals' sanity. */
export function validateDLedgerConfig(config: DLedgerConfig): void {
  const peers = parsePeers(config.peers);
  if (!peers.some((p) => p.id === config.selfId)) {
    throw new ConfigError(
      "selfId",
      `Invalid value for config key 'selfId': '${config.selfId}' is not one of the peers`,
    );
  }
  for (const key of ["heartBeatTimeIntervalMs", "maxHeartBeatLeak", "minVoteIntervalMs", "maxPushTimeOutMs"] as const) {
    positive(config, key);
  }
  // Java draws random.nextInt(max - min): the bound must be positive
  if (config.maxVoteIntervalMs <= config.minVoteIntervalMs) {
    throw new ConfigError(
      "maxVoteIntervalMs",
      `Invalid value for config key 'maxVoteIntervalMs': ${config.maxVoteIntervalMs} must be greater than minVoteIntervalMs ${config.minVoteIntervalMs}`,
    );
  }
  if (config.maxTakeLeadershipVoteIntervalMs <= config.minTakeLeadershipVoteIntervalMs) {
    throw new ConfigError(
      "maxTakeLeadershipVoteIntervalMs",
      `Invalid value for config key 'maxTakeLeadershipVoteIntervalMs': ${config.maxTakeLeadershipVoteIntervalMs} must be greater than minTakeLeadershipVoteIntervalMs ${config.minTakeLeadershipVoteIntervalMs}`,
    );
  }
}

/** `<storeBaseDir>/dledger-<selfId>`: where currterm, checkpoint, data/ and index/ live. */
export function dledgerDefaultPath(config: Pick<DLedgerConfig, "storeBaseDir" | "selfId">): string {
  return join(config.storeBaseDir, `dledger-${config.selfId}`);
}

/** The data directory: dataStorePath when set, else `<defaultPath>/data`. */
export function dledgerDataStorePath(config: Pick<DLedgerConfig, "storeBaseDir" | "selfId" | "dataStorePath">): string {
  return config.dataStorePath ?? join(dledgerDefaultPath(config), "data");
}

export function dledgerIndexStorePath(config: Pick<DLedgerConfig, "storeBaseDir" | "selfId">): string {
  return join(dledgerDefaultPath(config), "index");
}

/** The address this member listens on (its own entry in `peers`). */
export function dledgerSelfAddress(config: DLedgerConfig): string {
  const self = parsePeers(config.peers).find((p) => p.id === config.selfId);
  if (!self)
    throw new ConfigError(
      "selfId",
      `Invalid value for config key 'selfId': '${config.selfId}' is not one of the peers`,
    );
  return self.addr;
}

/** The ids of preferredLeaderIds (`;`-separated), or null when unset. */
export function preferredLeaderIdList(config: DLedgerConfig): string[] | null {
  return config.preferredLeaderIds === null ? null : config.preferredLeaderIds.split(";");
}
