import { MQClientException } from "@rocketmq-ts/client";

/** A timestamp option other than `now`: milliseconds, or yyyy-MM-dd#HH:mm:ss:SSS in local time. */
export function parseTimestamp(s: string): number {
  if (/^-?\d+$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})#(\d{2}):(\d{2}):(\d{2}):(\d{3})$/.exec(s);
  if (!m) throw new MQClientException(-1, `Unparseable date: "${s}"`);
  const [, y, mo, d, h, mi, sec, ms] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, sec!, ms!).getTime();
}
