// The console at scale (issue 17): a broker with 2,000 topics and 2,000 subscription groups (some with
// consumed offsets), bin/mqconsole on it; prints how long each list API takes (median and worst of 10
// calls) and how long one metrics collection over all groups takes.
// Usage: node packages/console/bench/console-bench.mjs [--topics N] [--groups N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequest, RemotingClient } from "../../remoting/dist/index.js";
import { arg, createTopic, freeBrokerPort, root, startBroker, startServer } from "../../broker/bench/support.mjs";
import { freeBrokerPort as freePort } from "../../../scripts/ports.mjs";

const TOPICS = Number(arg("--topics", "2000"));
const GROUPS = Number(arg("--groups", "2000"));
const home = mkdtempSync(join(tmpdir(), "console-bench-"));
const procs = [];
const client = new RemotingClient();

async function timed(url, runs = 10) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
    bytes = body.length;
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], worst: ms[ms.length - 1], bytes };
}

try {
  const nsPort = await freePort();
  const ns = `127.0.0.1:${nsPort}`;
  procs.push(await startServer("mqnamesrv", home, "namesrv", [`listenPort=${nsPort}`]));
  const port = await freeBrokerPort();
  const addr = `127.0.0.1:${port}`;
  procs.push(
    await startBroker(home, "broker", [
      "brokerIP1=127.0.0.1",
      `listenPort=${port}`,
      `namesrvAddr=${ns}`,
      `storePathRootDir=${join(home, "store")}`,
    ]),
  );
  let t = performance.now();
  for (let i = 0; i < TOPICS; i++) await createTopic(client, addr, `BenchTopic${i}`, 4);
  const topicsMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < GROUPS; i++) {
    const body = Buffer.from(JSON.stringify({ groupName: `bench_group_${i}`, consumeEnable: true, retryQueueNums: 1 }));
    await client.invokeSync(addr, createRequest(200, { body }), 5000); // UPDATE_AND_CREATE_SUBSCRIPTIONGROUP
    // a committed offset on one topic for a tenth of them: their progress is what a collection reads
    if (i % 10 === 0) {
      const extFields = {
        consumerGroup: `bench_group_${i}`,
        topic: `BenchTopic${i % TOPICS}`,
        queueId: "0",
        commitOffset: "0",
      };
      await client.invokeSync(addr, createRequest(15, { extFields }), 5000); // UPDATE_CONSUMER_OFFSET
    }
  }
  const groupsMs = performance.now() - t;
  console.log(
    `console bench: ${TOPICS} topics created in ${(topicsMs / 1000).toFixed(1)} s, ${GROUPS} groups in ${(groupsMs / 1000).toFixed(1)} s`,
  );
  const httpPort = await freePort();
  const started = performance.now();
  const mqconsole = spawn(
    join(root, "bin", "mqconsole"),
    [`--server.port=${httpPort}`, "--server.address=127.0.0.1", `-n`, ns, "--rocketmq.config.collectIntervalMs=600000"],
    { env: { ...process.env, JAVA_OPT_EXT: `-Duser.home=${home}` }, stdio: ["ignore", "pipe", "inherit"] },
  );
  procs.push(mqconsole);
  await new Promise((r) => mqconsole.stdout.on("data", (d) => d.toString().includes("listening") && r()));
  const base = `http://127.0.0.1:${httpPort}`;
  // the first metrics scrape waits for the first collection over every topic and group
  const first = await timed(`${base}/metrics`, 1);
  console.log(
    `  first collection (all topics and groups) ${(first.median / 1000).toFixed(1)} s after a start ${((performance.now() - started) / 1000).toFixed(1)} s ago`,
  );
  for (const [name, path] of [
    ["cluster", "/api/cluster"],
    ["topics page 1 (50)", "/api/topics"],
    ["topics search", "/api/topics?search=BenchTopic19&kind=NORMAL"],
    ["topics page 40", "/api/topics?page=40"],
    ["consumers page 1 (50)", "/api/consumers"],
    ["consumers search", "/api/consumers?search=bench_group_19"],
    ["/metrics", "/metrics"],
  ]) {
    const r = await timed(base + path);
    console.log(
      `  ${name.padEnd(24)} median ${r.median.toFixed(1).padStart(7)} ms  worst ${r.worst.toFixed(1).padStart(7)} ms  (${r.bytes.toLocaleString("en-US")} bytes)${r.worst < 500 ? "" : "  over 500 ms"}`,
    );
  }
} finally {
  await client.shutdown();
  for (const p of procs.reverse()) {
    if (p.stop) await p.stop();
    else p.kill("SIGTERM");
  }
  rmSync(home, { recursive: true, force: true });
}
