/**
 * A captured Java pull consumer replayed against our broker, after rebuilding the exact TopicTest the
 * Java broker had at that moment (the three captured steps that wrote to it, replayed in capture order).
 * Every answer must match: codes, remarks, offsets in the headers, and the size of the returned records.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios, type CapturedFrame } from "./support/corpus.js";
import { replay } from "./support/replay.js";
import { startLocalCluster, type LocalCluster } from "./support/cluster.js";

const scenarios = new Map(loadScenarios().map((s) => [s.name, s.frames]));
const BROKER_PORT = 30911;
let cluster: LocalCluster;
let target: { host: string; port: number };

const sendsOnly = (f: CapturedFrame): boolean => f.header.code === 310;

beforeAll(async () => {
  cluster = await startLocalCluster();
  const [host, port] = cluster.brokerAddr.split(":");
  target = { host: host as string, port: Number(port) };
  // TopicTest as the Java broker had it: 1000 + 10 oneway + 1 mqadmin sendMessage = 253/252/253/253
  for (const name of ["producer-sync-json", "producer-oneway", "push-consumer"]) {
    await replay(scenarios.get(name) as CapturedFrame[], BROKER_PORT, target, { only: sendsOnly });
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("replay of captured Java pull consumers", () => {
  it.each(["consumer-pull", "consumer-lite-pull-assign"])(
    "%s: same answers, long-polled pulls included",
    async (name) => {
      const exchanges = await replay(scenarios.get(name) as CapturedFrame[], BROKER_PORT, target, {
        timeoutMs: (f) =>
          f.header.code === 11 ? Number(f.header.extFields?.["suspendTimeoutMillis"] ?? 0) + 10_000 : 5000,
      });
      const answered = exchanges.filter((e) => e.captured);
      const capturedAnswers = (scenarios.get(name) as CapturedFrame[]).filter(
        (f) => f.conn.endsWith(`->${BROKER_PORT}`) && f.dir === "s2c" && f.rpcType === "response",
      );
      expect(answered.length).toBe(capturedAnswers.length);
      for (const e of answered) {
        const where = `seq ${e.request.seq} code ${e.request.header.code}`;
        const theirs = e.captured as CapturedFrame;
        const ours = e.ours?.cmd;
        expect(ours?.code, where).toBe(theirs.header.code);
        expect(ours?.remark ?? null, where).toBe(theirs.header.remark ?? null);
        if (e.request.header.code === 38) {
          // client ids are the replayed client's; the list has the same size
          expect(ours?.body?.length, where).toBe(theirs.bodyLength);
          continue;
        }
        expect(ours?.extFields ?? null, where).toEqual(theirs.header.extFields ?? null);
        expect(ours?.body?.length ?? 0, where).toBe(theirs.bodyLength);
      }
    },
    120_000,
  );
});
