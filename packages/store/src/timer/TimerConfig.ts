/**
 * Timer keys whose values Java takes silently but that would stall or break the timer here (a zero
 * precision divides by zero, a timer-log file smaller than one unit and its blank never takes a unit,
 * a zero flush interval spins): refused at start, naming the key.
 */
import { ConfigError } from "@rocketmq-ts/common";
import type { MessageStoreConfig } from "../config/MessageStoreConfig.js";
import { UNIT_SIZE } from "./TimerLog.js";

type TimerKeys = "timerPrecisionMs" | "mappedFileSizeTimerLog" | "timerFlushIntervalMs";

export function checkTimerConfig(config: Pick<MessageStoreConfig, TimerKeys>): void {
  const atLeast = (key: TimerKeys, min: number): void => {
    if (config[key] < min)
      throw new ConfigError(key, `Invalid value for config key '${key}': ${config[key]} must be at least ${min}`);
  };
  atLeast("timerPrecisionMs", 1);
  atLeast("mappedFileSizeTimerLog", UNIT_SIZE + 16);
  atLeast("timerFlushIntervalMs", 1);
}
