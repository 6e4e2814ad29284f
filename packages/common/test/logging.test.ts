import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  formatLogLine,
  formatLogTime,
  levelName,
  logFormatFrom,
  LoggerName,
  namedLogger,
  parseLogTimeZone,
  RocketmqLogging,
  RollingFileAppender,
} from "@rocketmq-ts/common";

const GMT8 = { offsetMinutes: 480 };
// 2026-12-04 06:35:12.345 UTC, i.e. 14:35:12 at GMT+8
const T = Date.UTC(2026, 11, 4, 6, 35, 12, 345);

describe("log line layout", () => {
  it("prints Java's `%d{yyy-MM-dd HH:mm:ss} %p %t - %m` with bound fields after the message", () => {
    const line = formatLogLine(
      {
        level: 30,
        time: T,
        pid: 7,
        logger: "RocketmqBroker",
        msg: "register broker OK",
        namesrv: "127.0.0.1:9876",
        n: 3,
      },
      "full",
      GMT8,
    );
    expect(line).toBe("2026-12-04 14:35:12 INFO main - register broker OK namesrv=127.0.0.1:9876 n=3\n");
  });

  it("quotes strings with spaces or quotes, prints objects as JSON and a bound thread name as %t", () => {
    const line = formatLogLine(
      {
        level: 40,
        time: T,
        thread: "ReputMessageService",
        msg: "slow",
        s: 'a "b" c',
        o: { a: [1, 2] },
        nil: null,
        ok: true,
      },
      "full",
      { offsetMinutes: 0 },
    );
    expect(line).toBe(
      '2026-12-04 06:35:12 WARN ReputMessageService - slow s="a \\"b\\" c" o={"a":[1,2]} nil=null ok=true\n',
    );
  });

  it("names pino's levels as logback does (no FATAL in logback)", () => {
    expect([10, 20, 30, 40, 50, 60].map(levelName)).toEqual(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "ERROR"]);
  });

  it("prints an error's stack on the lines after the message, its extra fields on the line", () => {
    const stack = "Error: disk full\n    at write (store.js:1:1)\n    at flush (store.js:2:2)";
    const line = formatLogLine(
      { level: 50, time: T, msg: "flush failed", err: { type: "Error", message: "disk full", stack, code: "ENOSPC" } },
      "full",
      GMT8,
    );
    expect(line.split("\n")).toEqual([
      '2026-12-04 14:35:12 ERROR main - flush failed err={"code":"ENOSPC"}',
      "Error: disk full",
      "    at write (store.js:1:1)",
      "    at flush (store.js:2:2)",
      "",
    ]);
    // a plain string err stays a field
    expect(formatLogLine({ level: 50, time: T, msg: "x", err: "timeout" }, "full", GMT8)).toBe(
      "2026-12-04 14:35:12 ERROR main - x err=timeout\n",
    );
  });

  it("follows the file's pattern: stats.log without thread, watermark.log without level, commercial.log bare", () => {
    const r = { level: 30, time: T, msg: "m" };
    expect(formatLogLine(r, "noThread", GMT8)).toBe("2026-12-04 14:35:12 INFO - m\n");
    expect(formatLogLine(r, "bare", GMT8)).toBe("2026-12-04 14:35:12 - m\n");
    expect(formatLogLine(r, "messageOnly", GMT8)).toBe("m\n");
  });

  it("reads zones as local, UTC or fixed offsets and refuses anything else", () => {
    expect(parseLogTimeZone(undefined)).toBe("local");
    expect(parseLogTimeZone("local")).toBe("local");
    expect(parseLogTimeZone("UTC")).toEqual({ offsetMinutes: 0 });
    expect(parseLogTimeZone("GMT+8")).toEqual({ offsetMinutes: 480 });
    expect(parseLogTimeZone("GMT-05:30")).toEqual({ offsetMinutes: -330 });
    expect(parseLogTimeZone("+0930")).toEqual({ offsetMinutes: 570 });
    expect(() => parseLogTimeZone("Mars/Olympus")).toThrow(/rocketmq.log.timezone/);
    expect(() => parseLogTimeZone("GMT+25")).toThrow(/out of range/);
  });

  it("renders local time in the process's zone (TZ)", () => {
    const saved = process.env["TZ"];
    try {
      process.env["TZ"] = "Asia/Tokyo"; // +09:00, no daylight saving
      expect(formatLogTime(T, "local")).toBe("2026-12-04 15:35:12");
      process.env["TZ"] = "UTC";
      expect(formatLogTime(T, "local")).toBe("2026-12-04 06:35:12");
    } finally {
      if (saved === undefined) delete process.env["TZ"];
      else process.env["TZ"] = saved;
    }
  });

  it("takes the format from -Drocketmq.log.format or ROCKETMQ_LOG_FORMAT, text by default", () => {
    expect(logFormatFrom({})).toBe("text");
    expect(logFormatFrom({ ROCKETMQ_LOG_FORMAT: "json" })).toBe("json");
    expect(logFormatFrom({ JAVA_OPT_EXT: "-Duser.home=/x -Drocketmq.log.format=json" })).toBe("json");
    expect(() => logFormatFrom({ ROCKETMQ_LOG_FORMAT: "xml" })).toThrow(/rocketmq.log.format/);
  });
});

describe("log files", () => {
  const dirs: string[] = [];
  const loggings: RocketmqLogging[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), "rmq-logs-"));
    dirs.push(d);
    return d;
  };
  const open = (config: "broker" | "namesrv" | "tools", logDir: string, opts: object = {}): RocketmqLogging => {
    const l = new RocketmqLogging(config, { logDir, env: {}, timeZone: GMT8, ...opts });
    loggings.push(l);
    return l;
  };
  const read = (dir: string, file: string): string => readFileSync(join(dir, file), "utf8");
  afterEach(() => {
    for (const l of loggings.splice(0)) l.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("opens Java's broker files and routes each logger name to its own", () => {
    const dir = tempDir();
    const logging = open("broker", dir);
    expect(readdirSync(dir).sort()).toEqual(
      [
        "broker.log",
        "broker_default.log",
        "commercial.log",
        "filter.log",
        "lock.log",
        "protection.log",
        "remoting.log",
        "stats.log",
        "store.log",
        "storeerror.log",
        "transaction.log",
        "watermark.log",
      ].sort(),
    );
    const broker = logging.logger(LoggerName.BROKER);
    broker.info("broker line");
    logging.logger(LoggerName.COMMON).info("common line");
    namedLogger(broker, LoggerName.STORE).warn("store line");
    namedLogger(broker, LoggerName.REMOTING).info("remoting line");
    namedLogger(broker, LoggerName.TRANSACTION).info("transaction line");
    namedLogger(broker, LoggerName.REBALANCE_LOCK).info("lock line");
    namedLogger(broker, LoggerName.FILTER).info("filter line");
    namedLogger(broker, LoggerName.STORE_ERROR).error("storeerror line");
    broker.child({ logger: "RocketmqStats" }).info("[TOPIC_PUT_NUMS] [T] Stats In One Minute");
    namedLogger(broker, LoggerName.WATER_MARK).info("watermark line");
    logging.logger("SomethingElse").info("default line");
    logging.root.info("root line");
    logging.flush();
    const only = (file: string, ...msgs: string[]): void => {
      const lines = read(dir, file).trimEnd().split("\n");
      expect(lines.map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, ""))).toEqual(msgs);
    };
    only("broker.log", "INFO main - broker line", "INFO main - common line");
    only("store.log", "WARN main - store line");
    only("remoting.log", "INFO main - remoting line");
    only("transaction.log", "INFO main - transaction line");
    only("lock.log", "INFO main - lock line");
    only("filter.log", "INFO main - filter line");
    only("storeerror.log", "ERROR main - storeerror line");
    only("stats.log", "INFO - [TOPIC_PUT_NUMS] [T] Stats In One Minute");
    only("watermark.log", "- watermark line");
    only("broker_default.log", "INFO main - default line", "INFO main - root line");
  });

  it("formats nothing below the level", () => {
    const dir = tempDir();
    const logging = open("namesrv", dir, { level: "info" });
    const log = logging.logger(LoggerName.NAMESRV);
    let touched = 0;
    log.debug(
      {
        get costly() {
          touched++;
          return 1;
        },
      },
      "hidden",
    );
    log.info("shown");
    logging.flush();
    expect(touched).toBe(0);
    expect(read(dir, "namesrv.log")).toMatch(/^\S+ \S+ INFO main - shown\n$/);
  });

  it("puts the name server's remoting and common loggers into namesrv.log, others into namesrv_default.log", () => {
    const dir = tempDir();
    const logging = open("namesrv", dir);
    const ns = logging.logger(LoggerName.NAMESRV);
    ns.info("a");
    namedLogger(ns, LoggerName.REMOTING).info("b");
    namedLogger(ns, LoggerName.COMMON).info("c");
    namedLogger(ns, LoggerName.STORE).info("d");
    logging.flush();
    expect(readdirSync(dir).sort()).toEqual(["namesrv.log", "namesrv_default.log"]);
    expect(read(dir, "namesrv.log").match(/ - (\w)\n/g)).toEqual([" - a\n", " - b\n", " - c\n"]);
    expect(read(dir, "namesrv_default.log")).toContain(" - d\n");
  });

  it("writes pino's JSON lines when asked, one `logger` field per line", () => {
    const dir = tempDir();
    const logging = open("broker", dir, { format: "json" });
    const broker = logging.logger(LoggerName.BROKER);
    namedLogger(broker, LoggerName.STORE).error({ err: new Error("boom"), offset: 42 }, "put failed");
    logging.flush();
    const line = read(dir, "store.log").trimEnd();
    expect(line.match(/"logger":/g)).toHaveLength(1);
    const rec = JSON.parse(line) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 50, logger: "RocketmqStore", msg: "put failed", offset: 42, pid: process.pid });
    expect((rec["err"] as { stack: string }).stack).toContain("Error: boom");
    expect(read(dir, "broker.log")).toBe("");
  });

  it("keeps an isolated broker's files in <brokerName>_<brokerId>/ and its rolled files in otherdays/ under it", () => {
    const dir = tempDir();
    const logging = open("broker", dir, { subDir: "broker-a_0" });
    logging.logger(LoggerName.BROKER).info("isolated");
    logging.flush();
    expect(read(join(dir, "broker-a_0"), "broker.log")).toContain("isolated");
    expect(existsSync(join(dir, "broker.log"))).toBe(false);
  });

  it("rolls by size into otherdays/<name>.<i>.log.gz, keeping maxIndex files", async () => {
    const dir = tempDir();
    const file = join(dir, "store.log");
    const archive = join(dir, "otherdays");
    const appender = new RollingFileAppender(file, archive, { maxFileSize: 100, maxIndex: 2 });
    const line = (i: number): string => `line ${String(i).padStart(3, "0")} ${"x".repeat(40)}\n`; // 50 chars
    for (let i = 0; i < 7; i++) {
      appender.write(line(i));
      await appender.whenArchived();
    }
    appender.end();
    await appender.whenArchived();
    // 0,1 → rolled; 2,3 → rolled; 4,5 → rolled (drops 0,1); 6 stays
    expect(readdirSync(archive).sort()).toEqual(["store.1.log.gz", "store.2.log.gz"]);
    expect(gunzipSync(readFileSync(join(archive, "store.1.log.gz"))).toString()).toBe(line(4) + line(5));
    expect(gunzipSync(readFileSync(join(archive, "store.2.log.gz"))).toString()).toBe(line(2) + line(3));
    expect(readFileSync(file, "utf8")).toBe(line(6));
  });

  it("keeps writing to the file when it cannot roll", () => {
    const dir = tempDir();
    const file = join(dir, "broker.log");
    writeFileSync(join(dir, "otherdays"), "a file where the archive directory should be");
    const appender = new RollingFileAppender(file, join(dir, "otherdays"), { maxFileSize: 10, maxIndex: 2 });
    appender.write("first line\n");
    appender.write("second line\n");
    appender.end();
    expect(readFileSync(file, "utf8")).toBe("first line\nsecond line\n");
  });
});
