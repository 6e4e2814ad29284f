/**
 * bin/benchmark producer|consumer against real processes: Java's start lines and columns, the
 * [Complete] summary, --json, and every produced message consumed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool, startLocalCluster, type LocalCluster } from "./support/cluster.js";

let cluster: LocalCluster;

const benchmark = (...args: string[]): ReturnType<typeof runTool> => runTool("benchmark", args);

/**
 * Messages stored in `topic`, from mqadmin topicStatus (#Broker Name  #QID  #Min Offset  #Max Offset
 * #Last Updated): the queues' max offsets added up.
 */
async function storedIn(topic: string): Promise<number> {
  const status = await runTool("mqadmin", ["topicStatus", "-n", cluster.namesrvAddr, "-t", topic]);
  expect(status.code).toBe(0);
  return status.stdout
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s{2,}/))
    .filter((cols) => cols.length >= 4)
    .reduce((sum, cols) => sum + Number(cols[3]), 0);
}

beforeAll(async () => {
  cluster = await startLocalCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("bin/benchmark", () => {
  it("producer -q sends the quantity and prints Java's lines; consumer drains it", async () => {
    const p = await benchmark(
      "producer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "BenchE2E",
      "-w",
      "8",
      "-s",
      "256",
      "-q",
      "3000",
      "-k",
      "true",
      "-l",
      "3",
      "--json",
    );
    expect(p.code).toBe(0);
    const lines = p.stdout.split("\n");
    expect(lines[0]).toBe(
      "topic: BenchE2E threadCount: 8 messageSize: 256 keyEnable: true propertySize: 0 tagCount: 3 traceEnable: false aclEnable: false messageQuantity: 3000",
    );
    expect(lines[1]).toBe("delayEnable: false delayLevel: 1");
    expect(lines[2]).toBe("asyncEnable: false");
    expect(p.stdout).toMatch(
      /^\[Complete\] Send Total: 3000 (Send TPS: \d+ Max RT\(ms\): \d+ Average RT\(ms\): +[\d.]+ )?Send Failed: 0 Response Failed: 0$/m,
    );
    const result = JSON.parse(lines.find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    expect(result["sendTotal"]).toBe(3000);

    const c = await benchmark(
      "consumer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "BenchE2E",
      "-g",
      "bench_e2e",
      "--duration",
      "22",
      "--json",
    );
    expect(c.code).toBe(0);
    const clines = c.stdout.split("\n");
    expect(clines[0]).toBe(
      "topic: BenchE2E, threadCount 20, group: bench_e2e, suffix: false, filterType: null, expression: null, msgTraceEnable: false, aclEnable: false",
    );
    expect(clines[1]).toBe("Consumer Started.");
    expect(c.stdout).toMatch(
      /^Current Time: \d+ TPS: \d+ FAIL: 0 AVG\(B2C\) RT\(ms\): +[\d.NaN]+ AVG\(S2C\) RT\(ms\): +[\d.NaN]+ MAX\(B2C\) RT\(ms\): \d+ MAX\(S2C\) RT\(ms\): \d+$/m,
    );
    const cres = JSON.parse(clines.find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    expect(cres["consumeTotal"]).toBe(3000);
  }, 90_000);

  it("async producer runs for --duration and reports its TPS", async () => {
    const p = await benchmark(
      "producer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "BenchAsync",
      "-y",
      "true",
      "--duration",
      "3",
      "--json",
    );
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("topic: BenchAsync threadCount: 1 ");
    const result = JSON.parse(p.stdout.split("\n").find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    expect(result["sendTotal"]).toBeGreaterThan(100);
    // sends turned away with SYSTEM_BUSY are counted as failed; test brokers wait 60 s first (TEST_BROKER_PROPS)
    expect(result["sendFailed"]).toBeLessThan(result["sendTotal"]! / 2);
    expect(result["sendTps"]).toBeGreaterThan(0);
  }, 60_000);

  it("producer --connections and --topics spread the sends; --json adds the p99 RT and the client's CPU", async () => {
    const p = await benchmark(
      "producer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "BenchSpread",
      "-w",
      "6",
      "-q",
      "400",
      "--connections",
      "3",
      "--topics",
      "4",
      "--json",
    );
    expect(p.code).toBe(0);
    const result = JSON.parse(p.stdout.split("\n").find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    expect(result["sendOk"]).toBe(400);
    expect(result["p99RT"]).toBeGreaterThanOrEqual(0);
    expect(result["p99RT"]).toBeLessThanOrEqual(result["maxRT"]!);
    expect(result["clientCpuMicrosPerMsg"]).toBeGreaterThan(0);
    for (let i = 0; i < 4; i++) {
      expect(await storedIn(`BenchSpread${i}`)).toBe(100);
    }
  }, 60_000);

  it("consumer --groups reads the topic once per group and --until stops at that many", async () => {
    const p = await benchmark("producer", "-n", cluster.namesrvAddr, "-t", "BenchFanout", "-w", "4", "-q", "300");
    expect(p.code).toBe(0);
    const c = await benchmark(
      "consumer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "BenchFanout",
      "-g",
      "bench_fanout",
      "--groups",
      "3",
      "--until",
      "900",
      "--duration",
      "60",
      "--json",
    );
    expect(c.code).toBe(0);
    const result = JSON.parse(c.stdout.split("\n").find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    // each of the three groups starts at offset 0 of the fresh queues and reads all 300
    expect(result["consumeTotal"]).toBe(900);
    expect(result["consumeSpanMs"]).toBeGreaterThanOrEqual(0);
    expect(result["clientCpuMicrosPerMsg"]).toBeGreaterThan(0);
  }, 90_000);

  it("batchproducer sends batches of -b messages and prints Java's start line", async () => {
    const p = await benchmark(
      "batchproducer",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "BenchBatch",
      "-w",
      "2",
      "-s",
      "64",
      "-b",
      "8",
      "--duration",
      "3",
      "--json",
    );
    expect(p.code).toBe(0);
    const lines = p.stdout.split("\n");
    expect(lines[0]).toBe(
      "topic: BenchBatch threadCount: 2 messageSize: 64 batchSize: 8 keyEnable: false propertySize: 0 tagCount: 0 traceEnable: false aclEnable: false",
    );
    expect(p.stdout).toMatch(
      /^\[Complete\] Send TPS: \d+ Send MPS: \d+ Max RT\(ms\): \d+ Average RT\(ms\): +[\d.NaN]+ Average Message RT\(ms\): +[\d.NaN]+ Send Failed: 0 Send Message Failed: 0$/m,
    );
    const result = JSON.parse(lines.find((l) => l.startsWith("{")) ?? "{}") as Record<string, number>;
    expect(result["sendMessageOk"]).toBeGreaterThan(0);
    expect(result["sendMessageOk"]! % 8).toBe(0);
    // every message of every batch is stored: the topic's max offsets add up to them
    expect(await storedIn("BenchBatch")).toBe(result["sendMessageOk"]);
  }, 60_000);

  it("a missing name server address is a one-line error", async () => {
    const r = await benchmark("producer");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
