/** Java's String.format for the conversions mqadmin uses: %s %d %f with flags '-' and '0', width, precision, %n. */
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
export function javaFormat(format: string, ...args: unknown[]): string {
  let i = 0;
  return format.replace(
    /%(-)?(0)?(\d+)?(?:\.(\d+))?([sdfn%])/g,
    (
      _m,
      left: string | undefined,
      zero: string | undefined,
      width: string | undefined,
      precision: string | undefined,
      conv: string,
    ) => {
      if (conv === "n") return "\n";
      if (conv === "%") return "%";
      const arg = args[i++];
      let text: string;
      if (conv === "d") text = String(typeof arg === "bigint" ? arg : Math.trunc(Number(arg)));
      else if (conv === "f") text = roundHalfUp(Number(arg), precision === undefined ? 6 : Number(precision));
      else text = arg === null || arg === undefined ? "null" : String(arg);
      if (conv === "s" && precision !== undefined) text = text.slice(0, Number(precision));
      const w = width === undefined ? 0 : Number(width);
      if (text.length >= w) return text;
      if (left) return text.padEnd(w);
      if (zero && conv !== "s") {
        const negative = text.startsWith("-");
        return (negative ? "-" : "") + text.slice(negative ? 1 : 0).padStart(w - (negative ? 1 : 0), "0");
      }
      return text.padStart(w);
    },
  );
}

/** Java rounds %f HALF_UP on the decimal value. */
function roundHalfUp(n: number, digits: number): string {
  if (!Number.isFinite(n)) return String(n);
  const factor = 10 ** digits;
  const scaled = Math.abs(n) * factor;
  const rounded = Math.floor(scaled + 0.5 + 1e-9) / factor;
  return (n < 0 && rounded !== 0 ? "-" : "") + rounded.toFixed(digits);
}

/** Java's UtilAll.frontStringAtLeast: the first `size` characters (the whole string when shorter). */
export function frontStringAtLeast(s: string, size: number): string {
  return s.length > size ? s.slice(0, size) : s;
}

/** `yyyy-MM-dd HH:mm:ss[,SSS]` in local time, as UtilAll.formatDate. */
export function formatDate(ms: number, withMillis: boolean): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const base = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withMillis ? `${base},${p(d.getMilliseconds(), 3)}` : base;
}

/** Java's MessageExt.toString (with Message.toString inside), as printMsg / consumeMessage print it. */
export function messageExtString(m: {
  brokerName: string;
  queueId: number;
  storeSize: number;
  queueOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: string;
  storeTimestamp: number;
  storeHost: string;
  msgId: string;
  commitLogOffset: number;
  bodyCRC: number;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  topic: string;
  flag: number;
  properties: Map<string, string>;
  body: Buffer;
  transactionId?: string | undefined;
}): string {
  const props = `{${javaHashMapOrder([...m.properties.keys()])
    .map((k) => `${k}=${m.properties.get(k)}`)
    .join(", ")}}`;
  // Arrays.toString(byte[]): signed bytes
  const body = `[${[...m.body].map((b) => (b > 127 ? b - 256 : b)).join(", ")}]`;
  const message = `Message{topic='${m.topic}', flag=${m.flag}, properties=${props}, body=${body}, transactionId='${m.transactionId ?? "null"}'}`;
  return (
    `MessageExt [brokerName=${m.brokerName}, queueId=${m.queueId}, storeSize=${m.storeSize}, queueOffset=${m.queueOffset}, ` +
    `sysFlag=${m.sysFlag}, bornTimestamp=${m.bornTimestamp}, bornHost=/${m.bornHost}, storeTimestamp=${m.storeTimestamp}, ` +
    `storeHost=/${m.storeHost}, msgId=${m.msgId}, commitLogOffset=${m.commitLogOffset}, bodyCRC=${m.bodyCRC}, ` +
    `reconsumeTimes=${m.reconsumeTimes}, preparedTransactionOffset=${m.preparedTransactionOffset}, toString()=${message}]`
  );
}
