/**
 * Captured Java producer traffic replayed against our broker (real processes): same codes, remarks,
 * response headers, queue ids and queue offsets, and the same physical layout (msgId offsets advance by
 * the same record sizes as on the Java broker).
 */
import { afterEach, describe, expect, it } from "vitest";
import { decodeMessageId } from "@rocketmq-ts/common";
import { loadScenarios, type CapturedFrame } from "./support/corpus.js";
import { replay } from "./support/replay.js";
import { startLocalCluster, type LocalCluster } from "./support/cluster.js";

const scenarios = new Map(loadScenarios().map((s) => [s.name, s.frames]));
const BROKER_PORT = 30911;
let cluster: LocalCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const producerScenarios = [
  "producer-sync-json",
  "producer-async",
  "producer-oneway",
  "producer-batch",
  "producer-ordered",
  "producer-bench-rocketmq",
];
// Pipelined producers: the Java broker's processing order (thread pool) is not the arrival order.
const orderNotDeterministic = new Set(["producer-async", "producer-bench-rocketmq"]);
// The benchmark capture is trimmed in the middle (see its README), so its offsets jump.
const trimmed = new Set(["producer-bench-rocketmq"]);

describe("replay of captured producers against our broker", () => {
  it.each(producerScenarios)(
    "%s",
    async (name) => {
      cluster = await startLocalCluster();
      const [host, port] = cluster.brokerAddr.split(":");
      const frames = scenarios.get(name) as CapturedFrame[];
      const exchanges = await replay(frames, BROKER_PORT, { host: host as string, port: Number(port) });
      const answered = exchanges.filter((e) => e.captured);
      expect(exchanges.length).toBeGreaterThan(0);
      let firstOurs: number | undefined;
      let firstTheirs: number | undefined;
      let sends = 0;
      const ourAssigned: string[] = [];
      const theirAssigned: string[] = [];
      const deterministic = !orderNotDeterministic.has(name);
      for (const e of answered) {
        const where = `${name} seq ${e.request.seq} code ${e.request.header.code}`;
        const theirs = e.captured as CapturedFrame;
        const ours = e.ours?.cmd;
        expect(ours?.code, where).toBe(theirs.header.code);
        expect(ours?.remark ?? null, where).toBe(theirs.header.remark ?? null);
        expect(Object.keys(ours?.extFields ?? {}).sort(), where).toEqual(
          Object.keys(theirs.header.extFields ?? {}).sort(),
        );
        expect(ours?.serializeType, where).toBe(theirs.serializeType);
        const code = e.request.header.code;
        if (code === 310 || code === 320) {
          const t = theirs.header.extFields as Record<string, string>;
          const o = ours?.extFields as Record<string, string>;
          ourAssigned.push(`${o["queueId"]}/${o["queueOffset"]}`);
          theirAssigned.push(`${t["queueId"]}/${t["queueOffset"]}`);
          sends++;
          if (!deterministic) continue;
          expect(o["queueId"], where).toBe(String(t["queueId"]));
          expect(o["queueOffset"], where).toBe(String(t["queueOffset"]));
          expect([o["MSG_REGION"], o["TRACE_ON"]], where).toEqual([t["MSG_REGION"], t["TRACE_ON"]]);
          // physical offsets advance exactly as on the Java broker (same record sizes)
          const ourOffsets = (o["msgId"] as string).split(",").map((id) => decodeMessageId(id).commitLogOffset);
          const theirOffsets = String(t["msgId"])
            .split(",")
            .map((id) => decodeMessageId(id).commitLogOffset);
          firstOurs ??= ourOffsets[0];
          firstTheirs ??= theirOffsets[0];
          expect(
            ourOffsets.map((x) => x - (firstOurs as number)),
            where,
          ).toEqual(theirOffsets.map((x) => x - (firstTheirs as number)));
        }
      }
      // every queue offset handed out once, whatever the order
      if (!trimmed.has(name)) expect(ourAssigned.sort()).toEqual(theirAssigned.sort());
      if (name !== "producer-oneway") expect(sends).toBeGreaterThan(0);
    },
    60_000,
  );
});
