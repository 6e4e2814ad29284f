/**
 * bin/mqconsole's settings, taken as rocketmq-dashboard (a Spring Boot application) takes them:
 * `--server.port=8080` and `--rocketmq.config.namesrvAddr="ns1:9876;ns2:9876"` (Spring's
 * `--key=value` or `--key value`), then `-n` as mqadmin's, then `NAMESRV_ADDR` as every RocketMQ
 * tool. A bad value refuses to start, naming the key.
 */
export interface ConsoleConfig {
  /** HTTP port (`server.port`, default 8080; 0 picks a free one). */
  port: number;
  /** Address to listen on (`server.address`, default every interface as Spring Boot). */
  host: string;
  /** Name servers, in the order given; all are used, with fail-over. */
  namesrvAddrs: string[];
  /** How often broker statistics are sampled for the charts and /metrics (ms). */
  collectIntervalMs: number;
  /** Per-call timeout towards name servers and brokers (ms). */
  timeoutMillis: number;
}

export class ConsoleConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = "ConsoleConfigError";
  }
}

const KEYS = {
  "server.port": "port",
  "server.address": "host",
  "rocketmq.config.namesrvAddr": "namesrv",
  "rocketmq.config.namesrvAddrs": "namesrv",
  "rocketmq.config.collectIntervalMs": "interval",
  "rocketmq.config.timeoutMillis": "timeout",
} as const;
type Key = keyof typeof KEYS;

const isKey = (k: string): k is Key => Object.hasOwn(KEYS, k);

/** `host:port` pairs separated by `;` (or `,`, as the dashboard's list form). */
export function parseNamesrvAddrs(key: string, value: string): string[] {
  const addrs = value
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (addrs.length === 0) throw new ConsoleConfigError(key, "no name server address");
  for (const addr of addrs) {
    const i = addr.lastIndexOf(":");
    const port = Number(addr.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new ConsoleConfigError(key, `not a host:port address: ${addr}`);
    }
  }
  return addrs;
}

function wholeNumber(key: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw new ConsoleConfigError(key, `expected a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** Settings from the command line and environment; throws {@link ConsoleConfigError} on bad input. */
export function parseConsoleArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const given = new Map<Key, string>();
  let dashN: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-n" || arg === "--namesrvAddr") {
      const value = argv[++i];
      if (value === undefined) throw new ConsoleConfigError("-n", "needs a value");
      dashN = value;
      continue;
    }
    if (!arg.startsWith("--")) throw new ConsoleConfigError(arg, "unexpected argument");
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!isKey(name)) throw new ConsoleConfigError(name, "unknown option");
    let value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConsoleConfigError(name, "needs a value");
    value = value.replace(/^"(.*)"$/, "$1");
    given.set(name, value);
  }
  const namesrvKey: Key = given.has("rocketmq.config.namesrvAddr")
    ? "rocketmq.config.namesrvAddr"
    : "rocketmq.config.namesrvAddrs";
  const fromEnv = env["NAMESRV_ADDR"]?.trim() ? env["NAMESRV_ADDR"] : undefined;
  const namesrvValue = given.get(namesrvKey) ?? dashN ?? fromEnv;
  if (namesrvValue === undefined) {
    throw new ConsoleConfigError(
      "rocketmq.config.namesrvAddr",
      "no name server: give --rocketmq.config.namesrvAddr, -n or NAMESRV_ADDR",
    );
  }
  const namesrvSource = given.has(namesrvKey) ? namesrvKey : dashN !== undefined ? "-n" : "NAMESRV_ADDR";
  const port = given.get("server.port");
  const interval = given.get("rocketmq.config.collectIntervalMs");
  const timeout = given.get("rocketmq.config.timeoutMillis");
  return {
    port: port === undefined ? 8080 : wholeNumber("server.port", port, 0, 65535),
    host: given.get("server.address") ?? "0.0.0.0",
    namesrvAddrs: parseNamesrvAddrs(namesrvSource, namesrvValue),
    collectIntervalMs:
      interval === undefined ? 10_000 : wholeNumber("rocketmq.config.collectIntervalMs", interval, 200, 3_600_000),
    timeoutMillis: timeout === undefined ? 5000 : wholeNumber("rocketmq.config.timeoutMillis", timeout, 100, 120_000),
  };
}
