import type { JsonValue } from "@rocketmq-ts/remoting";
import { num, obj } from "./json.js";

/** Version stamp of a broker's topic config: bumped on every change; compared by value. */
export interface DataVersion {
  timestamp: number;
  counter: number;
  /** 5.x only */
  stateVersion?: number;
}

export function newDataVersion(now = Date.now()): DataVersion {
  return { timestamp: now, counter: 0 };
}

export function nextDataVersion(v: DataVersion, now = Date.now()): DataVersion {
  return { ...v, timestamp: now, counter: v.counter + 1 };
}

export function dataVersionEquals(a: DataVersion | undefined, b: DataVersion | undefined): boolean {
  if (!a || !b) return false;
  return a.timestamp === b.timestamp && a.counter === b.counter && (a.stateVersion ?? 0) === (b.stateVersion ?? 0);
}

export function decodeDataVersion(v: JsonValue | undefined, path = "dataVersion"): DataVersion {
  const o = obj(v, path);
  const out: DataVersion = {
    timestamp: num(o["timestamp"], `${path}.timestamp`, 0),
    counter: num(o["counter"], `${path}.counter`, 0),
  };
  if (o["stateVersion"] !== undefined) out.stateVersion = num(o["stateVersion"], `${path}.stateVersion`);
  return out;
}
