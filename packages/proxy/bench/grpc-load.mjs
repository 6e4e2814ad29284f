// The gRPC side of proxy-bench.mjs, in a process of its own as bin/benchmark is for remoting: Apache's
// 5.x Node client (rocketmq-client-nodejs, unmodified) sending or receiving through a proxy.
//   node grpc-load.mjs send    <endpoints> <topic> <concurrency> <seconds> <size>
//   node grpc-load.mjs receive <endpoints> <topic> <group> <concurrency> <until> <seconds>
// Prints one JSON line: {ok, failed, secs, clientCpuMicrosPerMsg}.
import { Producer, SimpleConsumer } from "rocketmq-client-nodejs";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const [mode, endpoints, topic, ...rest] = process.argv.slice(2);

function report(ok, failed, started, cpu0) {
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuMicrosPerMsg = (cpu.user + cpu.system) / Math.max(1, ok);
  process.stdout.write(`${JSON.stringify({ ok, failed, secs, clientCpuMicrosPerMsg })}\n`);
}

if (mode === "send") {
  const [concurrency, seconds, size] = rest.map(Number);
  const producer = new Producer({ endpoints, topics: [topic], logger: quiet, requestTimeout: 10_000 });
  await producer.startup();
  const body = Buffer.alloc(size, 0x61);
  let ok = 0;
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        try {
          await producer.send({ topic, body, tag: "bench" });
          ok++;
        } catch {
          failed++;
        }
      }
    }),
  );
  report(ok, failed, started, cpu0);
  await producer.shutdown();
} else if (mode === "receive") {
  const [group, concurrencyText, untilText, secondsText] = rest;
  const [concurrency, until, seconds] = [concurrencyText, untilText, secondsText].map(Number);
  const consumer = new SimpleConsumer({
    endpoints,
    consumerGroup: group,
    subscriptions: new Map([[topic, "*"]]),
    awaitDuration: 3000,
    logger: quiet,
    requestTimeout: 10_000,
  });
  await consumer.startup();
  let ok = 0;
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (ok < until && Date.now() < end) {
        let views = [];
        try {
          views = await consumer.receive(32, 30_000);
        } catch {
          failed++;
          continue;
        }
        await Promise.all(
          views.map((v) =>
            consumer.ack(v).then(
              () => ok++,
              () => failed++,
            ),
          ),
        );
      }
    }),
  );
  report(ok, failed, started, cpu0);
  await consumer.shutdown();
} else {
  process.stderr.write("usage: grpc-load.mjs send|receive …\n");
  process.exit(2);
}
