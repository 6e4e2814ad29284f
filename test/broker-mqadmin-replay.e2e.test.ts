/**
 * The broker-side requests of the captured mqadmin commands, replayed against our broker after it was
 * seeded with the captured producer traffic (TopicTest, 1000 messages). Answers are compared where the
 * broker's state allows: codes, remarks, header keys, body structure; GET_BROKER_CONFIG and
 * GET_BROKER_RUNTIME_INFO must carry every key the Java broker sent (GET_BROKER_CONFIG: and no other).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFastjson, type JsonValue } from "@rocketmq-ts/remoting";
import { loadScenarios, type CapturedFrame } from "./support/corpus.js";
import { replay, type ReplayedExchange } from "./support/replay.js";
import { startLocalCluster, type LocalCluster } from "./support/cluster.js";
import { brokerKeysSince5x } from "./support/configKeys.js";

const scenarios = new Map(loadScenarios().map((s) => [s.name, s.frames]));
const BROKER_PORT = 30911;
let cluster: LocalCluster;
// the captured broker's config named its commit-log directory (Java omits the key when it is null)
const commitLogDir = mkdtempSync(join(tmpdir(), "rmq-replay-commitlog-"));
let target: { host: string; port: number };

beforeAll(async () => {
  cluster = await startLocalCluster(`storePathCommitLog=${commitLogDir}`);
  const [host, port] = cluster.brokerAddr.split(":");
  target = { host: host as string, port: Number(port) };
  await replay(scenarios.get("producer-sync-json") as CapturedFrame[], BROKER_PORT, target);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(commitLogDir, { recursive: true, force: true });
});

async function run(name: string): Promise<ReplayedExchange[]> {
  const exchanges = await replay(scenarios.get(name) as CapturedFrame[], BROKER_PORT, target);
  expect(exchanges.length).toBeGreaterThan(0);
  return exchanges.filter((e) => e.captured);
}

function keysOfProperties(text: string): string[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(0, l.indexOf("=")))
    .sort();
}

function sameCodeAndRemark(e: ReplayedExchange): void {
  const where = `${e.request.seq} code ${e.request.header.code}`;
  expect(e.ours?.cmd.code, where).toBe(e.captured?.header.code);
  expect(e.ours?.cmd.remark ?? null, where).toBe(e.captured?.header.remark ?? null);
}

describe("replay of captured mqadmin commands against our broker", () => {
  it("getBrokerConfig: the configuration keys the Java broker has, no more but 5.x's (null values left out)", async () => {
    for (const e of await run("mqadmin-4.9.8/getBrokerConfig")) {
      sameCodeAndRemark(e);
      if (e.request.header.code !== 26) continue;
      expect(Object.keys(e.ours?.cmd.extFields ?? {})).toEqual(["version"]);
      const javaKeys = keysOfProperties(e.captured?.bodyText ?? "");
      // keys taken from 5.x (POP, timer, topic attributes) are ours on top of 4.9.8's
      const since5x = brokerKeysSince5x();
      const ourKeys = new Set(keysOfProperties(e.ours?.cmd.body?.toString() ?? "").filter((k) => !since5x.has(k)));
      expect(javaKeys.length).toBeGreaterThan(150);
      expect(javaKeys.filter((k) => !ourKeys.has(k))).toEqual([]);
      expect([...ourKeys].filter((k) => !javaKeys.includes(k))).toEqual([]);
      // set at start-up from the bloom filter's size, as Java's ConsumerFilterManager does
      expect(e.ours?.cmd.body?.toString()).toContain("\nbitMapLengthConsumeQueueExt=112\n");
    }
  });

  it.each(["mqadmin-4.9.8/brokerStatus", "mqadmin-4.9.8/clusterList", "mqadmin-5.3.3/clusterList"])(
    "%s: runtime info keys",
    async (name) => {
      for (const e of await run(name)) {
        sameCodeAndRemark(e);
        if (e.request.header.code !== 28) continue;
        const theirs =
          (parseFastjson(e.captured?.bodyText ?? "{}") as Record<string, Record<string, string>>)["table"] ?? {};
        const ours =
          (parseFastjson(e.ours?.cmd.body?.toString() ?? "{}") as Record<string, Record<string, string>>)["table"] ??
          {};
        const missing = Object.keys(theirs).filter(
          (k) => !(k in ours) && !k.startsWith("commitLogDiskRatio_") && !k.startsWith("scheduleMessageOffset_"),
        );
        expect(missing).toEqual([]);
      }
    },
  );

  it("topicStatus on the seeded topic: same queues and offsets", async () => {
    for (const e of await run("mqadmin-4.9.8/topicStatus")) {
      sameCodeAndRemark(e);
      if (e.request.header.code !== 202) continue;
      const table = (b: string | undefined): Map<JsonValue, Record<string, number>> =>
        (parseFastjson(b ?? "{}") as Record<string, Map<JsonValue, Record<string, number>>>)["offsetTable"] as Map<
          JsonValue,
          Record<string, number>
        >;
      const theirs = table(e.captured?.bodyText);
      const ours = table(e.ours?.cmd.body?.toString());
      const key = (k: JsonValue): string => JSON.stringify(k);
      expect([...ours.keys()].map(key).sort()).toEqual([...theirs.keys()].map(key).sort());
      for (const v of ours.values())
        expect(Object.keys(v).sort()).toEqual(["lastUpdateTimestamp", "maxOffset", "minOffset"]);
      // the capture's broker had 3 more messages from other steps; the 1000 replayed here are spread the same way
      const sum = (m: Map<JsonValue, Record<string, number>>): number =>
        [...m.values()].reduce((n, v) => n + (v["maxOffset"] ?? 0), 0);
      expect(sum(ours)).toBe(1000);
      expect(sum(theirs) - sum(ours)).toBeLessThan(20);
    }
  });

  it.each([
    "mqadmin-4.9.8/updateTopic",
    "mqadmin-4.9.8/updateTopic-b",
    "mqadmin-4.9.8/updateSubGroup",
    "mqadmin-4.9.8/updateBrokerConfig",
    "mqadmin-4.9.8/deleteTopic",
  ])("%s: same answers", async (name) => {
    for (const e of await run(name)) {
      sameCodeAndRemark(e);
      expect(e.ours?.cmd.body?.length ?? 0, name).toBe(e.captured?.bodyLength ?? 0);
    }
  });

  it("queryMsgByKey and consumer-less admin calls answer with Java's codes", async () => {
    // the seeded topic has the keys the capture asked for only if its producer set them; compare codes where state matches
    for (const name of ["mqadmin-4.9.8/queryMsgByKey", "mqadmin-4.9.8/producerConnection"]) {
      for (const e of await run(name)) {
        const code = e.request.header.code;
        expect([0, 1, 22, 206], `${name} ${code}`).toContain(e.ours?.cmd.code);
        if (code === 35) sameCodeAndRemark(e);
      }
    }
  });
});
