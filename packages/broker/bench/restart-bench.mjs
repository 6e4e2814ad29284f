// Restart time: build an N-GB store (1 KB messages, 4 topics × 8 queues, keys and tags, 1 GiB
// commit-log files as the broker's default), then measure
//   (a) the store's load + recover + start in-process, after a clean shutdown and with the abort file
//       left behind (abnormal recovery), with the store's per-phase log lines;
//   (b) a real bin/mqbroker from spawn to its listen port accepting connections, after a clean
//       shutdown (SIGTERM) and after kill -9.
// Prints seconds and seconds per GB of commit log. The store is deleted at the end.
// Usage: node packages/broker/bench/restart-bench.mjs [--restart-gb N] [--cold] [--dir /path] [--keep]
//   --cold drops the store's files from the page cache before each restart (dd iflag=nocache);
//   --keep leaves the store behind (its directory is printed); --reuse DIR measures such a kept one.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { configDefaults, parseHost } from "../../common/dist/index.js";
import { DefaultMessageStore, messageStoreConfigSpec } from "../../store/dist/index.js";
import { arg, freeBrokerPort, root } from "./support.mjs";

const GB = 1024 * 1024 * 1024;
const gb = Number(arg("--restart-gb", "2"));
const cold = process.argv.includes("--cold");
const reuse = arg("--reuse", undefined);
const keep = process.argv.includes("--keep") || reuse !== undefined;
const home = reuse ?? mkdtempSync(join(arg("--dir", tmpdir()), "restart-bench-"));
const storeRoot = join(home, "store");
const TOPICS = 4;
const QUEUES = 8;
const BATCH = 32;

function storeConfig() {
  return { ...configDefaults(messageStoreConfigSpec()), storePathRootDir: storeRoot };
}

/** A logger that keeps the store's `phase` lines (name → ms) and drops the rest. */
function phaseLogger() {
  const phases = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split("\n")) {
        if (!line.includes('"phase"')) continue;
        const { phase, ms } = JSON.parse(line);
        phases.push([phase, ms]);
      }
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), phases };
}

function commitLogBytes() {
  const dir = join(storeRoot, "commitlog");
  // the data written, not the files' mapped size: the last file is mostly empty
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).blocks * 512, 0);
}

async function buildStore() {
  const host = parseHost("127.0.0.1:10911");
  const store = new DefaultMessageStore(storeConfig(), { logger: pino({ level: "silent" }), storeHost: host });
  store.load();
  store.start();
  const bodies = Array.from({ length: 256 }, () => randomBytes(1024));
  const target = gb * GB;
  const started = Date.now();
  let i = 0;
  while (store.commitLog.getMaxOffset() < target) {
    const topic = `RestartBench${i % TOPICS}`;
    const queueId = Math.floor(i / TOPICS) % QUEUES;
    const msgs = [];
    for (let k = 0; k < BATCH; k++, i++) {
      msgs.push({
        topic,
        queueId,
        flag: 0,
        body: bodies[i % bodies.length],
        propertiesString: `KEYS\u0001order-${i}\u0002UNIQ_KEY\u0001C0A80001${String(i).padStart(24, "0")}\u0002TAGS\u0001TagA`,
        sysFlag: 0,
        bornTimestamp: Date.now(),
        bornHost: host,
        storeHost: host,
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
      });
    }
    const res = await store.putMessages(msgs);
    if (res.status !== "PUT_OK") throw new Error(res.status);
    if (i % (BATCH * 64) === 0) await new Promise((r) => setImmediate(r));
  }
  await store.shutdown();
  console.log(
    `restart bench: built a ${(commitLogBytes() / GB).toFixed(2)} GB store (${i.toLocaleString("en-US")} messages of 1 KB) in ${((Date.now() - started) / 1000).toFixed(1)}s under ${home}`,
  );
}

function dropPageCache() {
  if (!cold) return;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else spawnSync("dd", [`if=${p}`, "iflag=nocache", "count=0", "status=none"]);
    }
  };
  walk(storeRoot);
}

const perGb = (secs, bytes) => `${secs.toFixed(2)}s, ${(secs / (bytes / GB)).toFixed(2)} s/GB`;

/** (a) load + recover + start in-process; `abnormal` leaves the abort file in place first. */
async function inProcess(abnormal) {
  if (abnormal) writeFileSync(join(storeRoot, "abort"), "");
  dropPageCache();
  const bytes = commitLogBytes();
  const { logger, phases } = phaseLogger();
  const store = new DefaultMessageStore(storeConfig(), { logger, storeHost: parseHost("127.0.0.1:10911") });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  store.load();
  store.start();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await store.shutdown();
  const detail = phases.map(([p, ms]) => `${p} ${ms} ms`).join(", ");
  console.log(
    `restart bench: store load+recover+start, ${abnormal ? "abnormal (abort file)" : "normal (clean)  "}: ${perGb(secs, bytes)} (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)}s)  [${detail}]`,
  );
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** (b) spawn bin/mqbroker on the store; resolves with the process and seconds to port open. */
async function startBroker(port) {
  dropPageCache();
  const conf = join(home, "broker.properties");
  writeFileSync(
    conf,
    [
      "brokerName=restart-bench",
      `listenPort=${port}`,
      "brokerIP1=127.0.0.1",
      `storePathRootDir=${storeRoot}`,
      "flushDiskType=ASYNC_FLUSH",
    ].join("\n") + "\n",
  );
  const t0 = process.hrtime.bigint();
  const broker = spawn(join(root, "bin", "mqbroker"), ["-c", conf], {
    env: { ...process.env, JAVA_OPT_EXT: `-Duser.home=${home}`, ROCKETMQ_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((r) => broker.once("exit", r));
  let open = false;
  while (!open) {
    if (broker.exitCode !== null) throw new Error(`broker exited with ${broker.exitCode}`);
    open = await canConnect(port);
    if (!open) await new Promise((r) => setTimeout(r, 20));
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { broker, exited, secs };
}

async function brokerRestarts() {
  const port = await freeBrokerPort();
  const bytes = commitLogBytes();
  // clean: the store was shut down cleanly by the in-process run
  let { broker, exited, secs } = await startBroker(port);
  console.log(`restart bench: bin/mqbroker start to port open, clean shutdown before: ${perGb(secs, bytes)}`);
  broker.kill("SIGTERM");
  await exited;
  ({ broker, exited } = await startBroker(port));
  broker.kill("SIGKILL");
  await exited;
  ({ broker, exited, secs } = await startBroker(port));
  console.log(`restart bench: bin/mqbroker start to port open, after kill -9:        ${perGb(secs, bytes)}`);
  broker.kill("SIGTERM");
  await exited;
}

try {
  if (!reuse) await buildStore();
  await inProcess(false);
  await inProcess(true);
  await brokerRestarts();
} finally {
  if (keep) console.log(`restart bench: store kept in ${home}`);
  else rmSync(home, { recursive: true, force: true });
}
