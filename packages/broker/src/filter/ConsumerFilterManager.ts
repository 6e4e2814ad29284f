/**
 * SQL92 subscriptions known from heartbeats (Java's ConsumerFilterManager): one compiled filter per
 * topic and group, versioned by the subscription's subVersion, marked dead when the group leaves
 * or stops subscribing the topic, kept in consumerFilter.json. Bloom-filter bitmaps are not
 * computed (enableCalcFilterBitMap): every candidate is evaluated against its properties instead.
 */
import { entries, num, obj, str, type SubscriptionData } from "@rocketmq-ts/common";
import { compileSql92, isTagType, type CompiledSelector } from "@rocketmq-ts/filter";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigManager } from "../config/ConfigManager.js";

export interface ConsumerFilterData {
  consumerGroup: string;
  topic: string;
  expression: string;
  expressionType: string;
  /** The compiled selector (null only for data loaded from a file that no longer compiles). */
  compiled: CompiledSelector | null;
  bornTime: number;
  deadTime: number;
  /** The subscription's subVersion it was built from. */
  clientVersion: number;
}

/** A filter as consumerFilter.json holds it (4.9.8 without bloomFilterData). */
export interface PersistedFilterData {
  bornTime: number;
  clientVersion: number;
  consumerGroup: string;
  dead: boolean;
  deadTime: number;
  expression: string;
  expressionType: string;
  topic: string;
}

export const isDead = (d: ConsumerFilterData): boolean => d.deadTime >= d.bornTime;

/** The bean fastjson writes for a ConsumerFilterData (in consumerFilter.json, in QUERY_CONSUME_QUEUE answers). */
export function persistedFilterData(d: ConsumerFilterData): PersistedFilterData {
  return {
    bornTime: d.bornTime,
    clientVersion: d.clientVersion,
    consumerGroup: d.consumerGroup,
    dead: isDead(d),
    deadTime: d.deadTime,
    expression: d.expression,
    expressionType: d.expressionType,
    topic: d.topic,
  };
}

/** Build filter data for a non-tag subscription; null when it is a tag type, empty, or does not compile. */
export function buildFilterData(
  topic: string,
  consumerGroup: string,
  expression: string | undefined,
  type: string | undefined,
  clientVersion: number,
  logger?: Logger,
): ConsumerFilterData | null {
  if (!expression || isTagType(type) || type === undefined) return null;
  let compiled: CompiledSelector;
  try {
    compiled = compileSql92(expression);
  } catch (err) {
    logger?.error({ topic, consumerGroup, expression, err: (err as Error).message }, "Compile expression failed");
    return null;
  }
  return {
    consumerGroup,
    topic,
    expression,
    expressionType: type,
    compiled,
    bornTime: Date.now(),
    deadTime: 0,
    clientVersion,
  };
}

/** consumerFilter.json as written: topic → its groups' filters. */
interface ConsumerFilterFile {
  filterDataByTopic: Map<string, { groupFilterData: Map<string, PersistedFilterData>; topic: string }>;
}

export class ConsumerFilterManager extends ConfigManager<ConsumerFilterData[], ConsumerFilterFile> {
  /** topic → group → filter data */
  readonly filterDataByTopic = new Map<string, Map<string, ConsumerFilterData>>();

  constructor(
    storeRoot: string,
    private readonly logger: Logger,
    private readonly cleanTimeSpan: () => number,
  ) {
    super(storeRoot, "consumerFilter.json", logger);
  }

  get(topic: string, group: string): ConsumerFilterData | undefined {
    return this.filterDataByTopic.get(topic)?.get(group);
  }

  /** A heartbeat's subscriptions: register the non-tag ones, mark topics the group no longer has dead. */
  register(group: string, subscriptions: readonly SubscriptionData[]): void {
    for (const s of subscriptions) this.registerOne(s.topic, group, s.subString, s.expressionType, s.subVersion);
    const now = Date.now();
    for (const byGroup of this.filterDataByTopic.values()) {
      const data = byGroup.get(group);
      if (data && !isDead(data) && !subscriptions.some((s) => s.topic === data.topic)) {
        data.deadTime = now;
        this.logger.info({ group, topic: data.topic }, "Consumer filter changed, make illegal topic dead");
      }
    }
  }

  /** Java's register rules: newer versions replace (or drop a filter that stopped compiling), same version revives. */
  registerOne(
    topic: string,
    group: string,
    expression: string,
    type: string | undefined,
    clientVersion: number,
  ): boolean {
    if (isTagType(type) || !expression) return false;
    let byGroup = this.filterDataByTopic.get(topic);
    if (!byGroup) this.filterDataByTopic.set(topic, (byGroup = new Map()));
    const old = byGroup.get(group);
    if (!old) {
      const built = buildFilterData(topic, group, expression, type, clientVersion, this.logger);
      if (!built) return false;
      byGroup.set(group, built);
      this.logger.info({ group, topic, expression }, "New consumer filter registered");
      return true;
    }
    if (clientVersion <= old.clientVersion) {
      if (clientVersion === old.clientVersion && isDead(old)) {
        old.deadTime = 0;
        return true;
      }
      return false;
    }
    if (old.expression !== expression || old.expressionType !== type) {
      const built = buildFilterData(topic, group, expression, type, clientVersion, this.logger);
      if (!built) {
        // the new expression does not compile: drop the old one, the client reports the error
        byGroup.delete(group);
        return false;
      }
      byGroup.set(group, built);
      return true;
    }
    old.clientVersion = clientVersion;
    if (isDead(old)) old.deadTime = 0;
    return true;
  }

  /** The group left this broker: its filters are kept, dead, until the clean time span passes. */
  unRegister(group: string): void {
    const now = Date.now();
    for (const byGroup of this.filterDataByTopic.values()) {
      const data = byGroup.get(group);
      if (data && !isDead(data)) data.deadTime = now;
    }
  }

  protected decode(json: JsonValue): ConsumerFilterData[] {
    return entries(obj(json, this.fileName)["filterDataByTopic"], "filterDataByTopic").flatMap(([topic, v]) =>
      entries(obj(v, topic)["groupFilterData"], `${topic}.groupFilterData`).map(([group, d]) => {
        const o = obj(d, group);
        const expression = str(o["expression"], "expression");
        const expressionType = str(o["expressionType"], "expressionType");
        let compiled: CompiledSelector | null = null;
        try {
          compiled = compileSql92(expression);
        } catch {
          compiled = null;
        }
        return {
          consumerGroup: group,
          topic,
          expression,
          expressionType,
          compiled,
          bornTime: num(o["bornTime"], "bornTime"),
          deadTime: num(o["deadTime"], "deadTime"),
          clientVersion: num(o["clientVersion"], "clientVersion"),
        } satisfies ConsumerFilterData;
      }),
    );
  }

  protected applyLoaded(loaded: ConsumerFilterData[]): void {
    for (const d of loaded) {
      let byGroup = this.filterDataByTopic.get(d.topic);
      if (!byGroup) this.filterDataByTopic.set(d.topic, (byGroup = new Map()));
      byGroup.set(d.consumerGroup, d);
    }
  }

  /** consumerFilter.json as 4.9.8 writes it (without bloomFilterData); long-dead entries are dropped first. */
  protected encode(): ConsumerFilterFile {
    const now = Date.now();
    const span = this.cleanTimeSpan();
    const table: ConsumerFilterFile["filterDataByTopic"] = new Map();
    for (const [topic, byGroup] of this.filterDataByTopic) {
      for (const [group, d] of [...byGroup]) if (isDead(d) && now - d.deadTime > span) byGroup.delete(group);
      if (byGroup.size === 0) {
        this.filterDataByTopic.delete(topic);
        continue;
      }
      const groups = new Map<string, PersistedFilterData>();
      for (const [group, d] of byGroup) groups.set(group, persistedFilterData(d));
      table.set(topic, { groupFilterData: groups, topic });
    }
    return { filterDataByTopic: table };
  }
}
