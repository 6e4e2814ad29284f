/**
 * The text line of a log record, shaped like logback's patterns in Java RocketMQ's conf/logback_*.xml:
 * `%d{yyy-MM-dd HH:mm:ss} %p %t - %m%n`. Bound fields follow the message as `key=value`; an error's
 * stack follows on its own lines, as logback prints a throwable.
 */

/** Which parts a file's pattern prints (stats.log has no thread, watermark.log no level either). */
export type LogPattern = "full" | "noThread" | "messageOnly" | "bare";

/** Where timestamps are rendered: the process's local zone, or a fixed offset from UTC. */
export type LogTimeZone = "local" | { offsetMinutes: number };

/** A record as pino serialises it (`level`, `time`, `msg`, bindings and the call's object). */
export type LogRecord = Record<string, unknown>;

/** Fields that are part of the pattern, not the `key=value` tail. */
const PATTERN_KEYS = new Set(["level", "time", "pid", "hostname", "msg", "logger", "thread"]);

/** pino's numeric levels as logback names them (logback has no FATAL). */
export function levelName(level: unknown): string {
  if (typeof level !== "number") return typeof level === "string" ? level.toUpperCase() : "INFO";
  if (level >= 50) return "ERROR";
  if (level >= 40) return "WARN";
  if (level >= 30) return "INFO";
  if (level >= 20) return "DEBUG";
  return "TRACE";
}

/**
 * `local`, `UTC`/`GMT`, or a fixed offset as Java writes it in the patterns (`GMT+8`, `GMT-05:30`,
 * `+08:00`). Anything else is refused, naming the value.
 */
export function parseLogTimeZone(spec: string | undefined): LogTimeZone {
  const s = (spec ?? "").trim();
  if (s === "" || s.toLowerCase() === "local") return "local";
  const m = /^(?:GMT|UTC|Z)?(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/i.exec(s);
  if (!m) throw new Error(`rocketmq.log.timezone: unknown zone "${s}" (use local, UTC or GMT+8 style offsets)`);
  if (!m[1]) return { offsetMinutes: 0 };
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 18 * 60) throw new Error(`rocketmq.log.timezone: offset out of range "${s}"`);
  return { offsetMinutes: m[1] === "-" ? -minutes : minutes };
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `yyyy-MM-dd HH:mm:ss` of an epoch-millisecond time in the given zone. */
export function formatLogTime(epochMs: number, zone: LogTimeZone): string {
  if (zone === "local") {
    const d = new Date(epochMs);
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  }
  const d = new Date(epochMs + zone.offsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function fieldValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=\\]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v !== "object") return String(v);
  return JSON.stringify(v);
}

interface SerializedError {
  stack: string;
  rest: Record<string, unknown>;
}

/** pino's serialised `err` ({type, message, stack, ...}); a plain string `err` stays a field. */
function serializedError(err: unknown): SerializedError | undefined {
  if (err === null || typeof err !== "object" || Array.isArray(err)) return undefined;
  const { stack, type: _type, message: _message, ...rest } = err as Record<string, unknown>;
  return typeof stack === "string" ? { stack, rest } : undefined;
}

/** One record as text, ending with a newline. */
export function formatLogLine(record: LogRecord, pattern: LogPattern, zone: LogTimeZone): string {
  const msg =
    typeof record["msg"] === "string" ? record["msg"] : record["msg"] === undefined ? "" : String(record["msg"]);
  let tail = "";
  let stack = "";
  for (const key of Object.keys(record)) {
    if (PATTERN_KEYS.has(key)) continue;
    const value = record[key];
    if (key === "err") {
      const err = serializedError(value);
      if (err) {
        stack = `\n${err.stack}`;
        if (Object.keys(err.rest).length > 0) tail += ` err=${JSON.stringify(err.rest)}`;
        continue;
      }
    }
    tail += ` ${key}=${fieldValue(value)}`;
  }
  const body = `${msg}${tail}${stack}\n`;
  if (pattern === "messageOnly") return body;
  const time = formatLogTime(typeof record["time"] === "number" ? record["time"] : Date.now(), zone);
  if (pattern === "bare") return `${time} - ${body}`;
  const level = levelName(record["level"]);
  if (pattern === "noThread") return `${time} ${level} - ${body}`;
  const thread = typeof record["thread"] === "string" ? record["thread"] : "main";
  return `${time} ${level} ${thread} - ${body}`;
}
