// Send and receive through the gRPC proxy (local mode: `bin/mqbroker --enable-proxy`, the proxy in the
// broker's process) beside plain remoting against the same broker, with 1 KB messages:
//   remoting send     bin/benchmark producer (4.x remoting client, synchronous sends)
//   gRPC send         Apache's 5.x Node client (rocketmq-client-nodejs) Producer, the same concurrency
//   remoting receive  bin/benchmark consumer draining the remoting rows' backlog (push consumer, pulls)
//   gRPC receive      SimpleConsumer receive(32) + ack per message, draining the gRPC rows' backlog (POP)
// Each row prints TPS, the broker process's CPU per message (broker and proxy are one process) and the
// client's own CPU per message. The clients run in processes of their own.
//
// Usage: node packages/proxy/bench/proxy-bench.mjs [--seconds N] [--concurrency N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RemotingClient } from "../../remoting/dist/index.js";
import { arg, cpuMicros, createTopic, freeBrokerPort, root, startServer } from "../../broker/bench/support.mjs";

const seconds = Number(arg("--seconds", "10"));
const concurrency = Number(arg("--concurrency", "32"));

/** Run a node script or bin/ tool to its end; resolves with the JSON line it printed. */
function runJson(command, argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(command, argv, { stdio: ["ignore", "pipe", "inherit"], cwd: root });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || !line) reject(new Error(`${argv[0] ?? command} exited with ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(line));
    });
  });
}

/** bin/mqbroker --enable-proxy; resolves once the proxy (and with it the broker) started. */
function startBrokerWithProxy(home, props, proxyJson) {
  const conf = join(home, "broker.properties");
  writeFileSync(conf, props.join("\n") + "\n");
  const pc = join(home, "rmq-proxy.json");
  writeFileSync(pc, JSON.stringify(proxyJson));
  const proc = spawn(join(root, "bin", "mqbroker"), ["--enable-proxy", "-c", conf, "-pc", pc], {
    env: { ...process.env, JAVA_OPT_EXT: `-Duser.home=${join(home, "broker")}`, ROCKETMQ_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  proc.stop = () =>
    new Promise((r) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return r();
      proc.once("exit", r);
      proc.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`mqbroker --enable-proxy exited with ${code} before it started`)));
    proc.stdout.on("data", (d) => d.toString().includes("rocketmq-proxy startup successfully") && resolve(proc));
  });
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

async function main() {
  const home = mkdtempSync(join(tmpdir(), "proxy-bench-"));
  const procs = [];
  const admin = new RemotingClient();
  try {
    const nsPort = await freeBrokerPort();
    const nsAddr = `127.0.0.1:${nsPort}`;
    procs.push(await startServer("mqnamesrv", home, "namesrv", [`listenPort=${nsPort}`]));
    const brokerPort = await freeBrokerPort();
    const grpcPort = await freeBrokerPort();
    const broker = await startBrokerWithProxy(
      home,
      [
        "brokerClusterName=DefaultCluster",
        "brokerName=broker-a",
        "brokerIP1=127.0.0.1",
        "brokerIP2=127.0.0.1",
        `namesrvAddr=${nsAddr}`,
        `listenPort=${brokerPort}`,
        `storePathRootDir=${join(home, "store")}`,
        "flushDiskType=ASYNC_FLUSH",
      ],
      { rocketMQClusterName: "DefaultCluster", grpcServerPort: grpcPort, namesrvAddr: nsAddr },
    );
    procs.push(broker);
    const brokerAddr = `127.0.0.1:${brokerPort}`;
    await createTopic(admin, brokerAddr, "BenchRemoting", 8);
    await createTopic(admin, brokerAddr, "BenchGrpc", 8);
    const endpoints = `127.0.0.1:${grpcPort}`;
    const grpcLoad = join(import.meta.dirname, "grpc-load.mjs");
    const measured = async (run) => {
      const before = cpuMicros(broker.pid);
      const r = await run();
      return { ...r, brokerCpu: (cpuMicros(broker.pid) - before) / Math.max(1, r.ok) };
    };

    const rows = [];
    const remoteSend = await measured(async () => {
      const r = await runJson(join(root, "bin", "benchmark"), [
        "producer",
        "-n",
        nsAddr,
        "-t",
        "BenchRemoting",
        "-s",
        "1024",
        "-w",
        String(concurrency),
        "--duration",
        String(seconds),
        "--json",
      ]);
      return { ok: r.sendOk, tps: r.sendTps, clientCpu: r.clientCpuMicrosPerMsg, failed: r.sendFailed };
    });
    rows.push(["remoting send 1KB", remoteSend]);
    const grpcSend = await measured(async () => {
      const r = await runJson(process.execPath, [
        grpcLoad,
        "send",
        endpoints,
        "BenchGrpc",
        String(concurrency),
        String(seconds),
        "1024",
      ]);
      return { ok: r.ok, tps: r.ok / r.secs, clientCpu: r.clientCpuMicrosPerMsg, failed: r.failed };
    });
    rows.push(["gRPC send 1KB (proxy)", grpcSend]);
    const remoteReceive = await measured(async () => {
      const r = await runJson(join(root, "bin", "benchmark"), [
        "consumer",
        "-n",
        nsAddr,
        "-t",
        "BenchRemoting",
        "-g",
        "bench_remoting_drain",
        "--until",
        String(remoteSend.ok),
        "--duration",
        "180",
        "--json",
      ]);
      return {
        ok: r.consumeTotal,
        tps: r.consumeTotal / Math.max(0.001, r.consumeSpanMs / 1000),
        clientCpu: r.clientCpuMicrosPerMsg,
        failed: 0,
      };
    });
    rows.push(["remoting receive", remoteReceive]);
    const grpcReceive = await measured(async () => {
      const r = await runJson(process.execPath, [
        grpcLoad,
        "receive",
        endpoints,
        "BenchGrpc",
        "bench_grpc_drain",
        "4",
        String(grpcSend.ok),
        "180",
      ]);
      return { ok: r.ok, tps: r.ok / r.secs, clientCpu: r.clientCpuMicrosPerMsg, failed: r.failed };
    });
    rows.push(["gRPC receive + ack (POP)", grpcReceive]);

    console.log(
      `proxy bench (${seconds} s sends, ${concurrency} concurrent senders, 1 KB; broker = broker + proxy process)`,
    );
    console.log(
      `${pad("row", 26)}${lpad("msg/s", 9)}${lpad("messages", 10)}${lpad("broker µs/msg", 15)}${lpad("client µs/msg", 15)}`,
    );
    for (const [name, r] of rows)
      console.log(
        `${pad(name, 26)}${lpad(Math.round(r.tps).toLocaleString("en-US"), 9)}${lpad(r.ok.toLocaleString("en-US"), 10)}${lpad(r.brokerCpu.toFixed(1), 15)}${lpad(r.clientCpu.toFixed(1), 15)}${r.failed > 0 ? `  (failed ${r.failed})` : ""}`,
      );
  } finally {
    await admin.shutdown();
    for (const p of procs.reverse()) await p.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
