/** updateSubGroup, deleteSubGroup, consumerProgress, consumerStatus, consumerConnection, producerConnection, resetOffsetByTime. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MQClientException } from "@rocketmq-ts/client";
import { loadCapture, startedAt } from "./support/capture.js";
import { capturedAdmin } from "./support/capturedAdmin.js";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";
import { inCapturedTimezone } from "./support/timezone.js";

inCapturedTimezone();

const env = { NAMESRV_ADDR: "127.0.0.1:39876" };
const GROUP = "please_rename_unique_group_name_4";

afterEach(() => {
  vi.useRealTimers();
});

describe("consumer, connection and offset commands print what Java's mqadmin printed", () => {
  it("updateSubGroup -c sends Java's subscription group config", async () => {
    const capture = loadCapture("updateSubGroup");
    const r = await runWith(
      ["updateSubGroup", "-c", "DefaultCluster", "-g", "ref_sub_group"],
      capturedAdmin(capture),
      {},
      env,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("consumerProgress -g", async () => {
    const capture = loadCapture("consumerProgress-g");
    const r = await runWith(["consumerProgress", "-g", GROUP], capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("consumerConnection", async () => {
    const capture = loadCapture("consumerConnection");
    const r = await runWith(["consumerConnection", "-g", GROUP], capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("producerConnection", async () => {
    const capture = loadCapture("producerConnection");
    const r = await runWith(
      ["producerConnection", "-g", "please_rename_unique_group_name", "-t", "TopicTest1234"],
      capturedAdmin(capture),
      {},
      env,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("resetOffsetByTime (offsets in Java's HashMap order)", async () => {
    const capture = loadCapture("resetOffsetByTime");
    const r = await runWith(
      ["resetOffsetByTime", "-g", GROUP, "-t", "TopicTest", "-s", "1795396084886"],
      capturedAdmin(capture),
      {},
      env,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("consumerStatus: the index Java printed, each client's report written to <now>/<clientId> as Java wrote it", async () => {
    const capture = loadCapture("consumerStatus");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(startedAt(capture));
    const workDir = mkdtempSync(join(tmpdir(), "mqadmin-consumerStatus-"));
    try {
      const r = await runWith(["consumerStatus", "-g", GROUP], capturedAdmin(capture), { workDir: () => workDir }, env);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      // the directory is the time the command ran (Java's a moment after its start)
      const now = (s: string): string => s.replace(/\b\d{13}\//g, "<now>/");
      expect(now(r.stdout)).toBe(now(capture.stdout));
      const path = `${startedAt(capture)}/192.0.2.2@20168#2822916895760`;
      expect(r.stdout).toContain(` ${path}\n`);
      expect(readFileSync(join(workDir, path), "utf8")).toBe(capture.file("consumerRunningInfoFile.txt"));
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});

describe("consumer commands beyond the captures", () => {
  it("consumerStatus -i prints one client's report", async () => {
    const capture = loadCapture("consumerStatus");
    const r = await runWith(
      ["consumerStatus", "-g", GROUP, "-i", "192.0.2.2@20168#2822916895760"],
      capturedAdmin(capture),
      {},
      env,
    );
    // the report Java wrote to its file, properties in the order of the java.util.Properties it read
    expect(r.stdout).toBe(capture.file("consumerRunningInfoFile.txt"));
  });

  it("consumerStatus reports a client that does not answer on stderr and goes on", async () => {
    const capture = loadCapture("consumerStatus");
    const admin = capturedAdmin(capture, {
      getConsumerRunningInfo: () => Promise.reject(new MQClientException(206, "client gone")),
    });
    const r = await runWith(["consumerStatus", "-g", GROUP], admin, {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "CODE: 206  DESC: client gone\n" });
    expect(r.stdout).toBe(capture.stdout.split("\n")[0] + "\n");
  });

  it("consumerProgress fails as Java when the group has no offsets", async () => {
    const admin = fakeAdmin({ examineConsumeStats: async () => ({ progress: [], consumeTps: 0 }) });
    const r = await runWith(["consumerProgress", "-n", "x:1", "-g", "g"], admin);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toBe(
      "consumerProgress command failed: CODE: 206  DESC: Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message\n",
    );
  });

  it("updateSubGroup parses every option into the config", async () => {
    const sent: unknown[] = [];
    const admin = fakeAdmin({ createAndUpdateSubscriptionGroupConfig: async (addr, c) => void sent.push([addr, c]) });
    const r = await runWith(
      [
        "updateSubGroup",
        "-n",
        "x:1",
        "-b",
        "b:1",
        "-g",
        "g",
        "-s",
        "false",
        "-m",
        "true",
        "-d",
        "true",
        "-q",
        "2",
        "-r",
        "3",
        "-i",
        "1",
        "-w",
        "0",
        "-a",
        "false",
      ],
      admin,
    );
    expect(sent).toEqual([
      [
        "b:1",
        {
          brokerId: 1,
          consumeBroadcastEnable: true,
          consumeEnable: false,
          consumeFromMinEnable: true,
          groupName: "g",
          notifyConsumerIdsChangedEnable: false,
          retryMaxTimes: 3,
          retryQueueNums: 2,
          whichBrokerWhenConsumeSlowly: 0,
        },
      ],
    ]);
    expect(r.stdout).toBe(
      "create subscription group to b:1 success.\nSubscriptionGroupConfig [groupName=g, consumeEnable=false, consumeFromMinEnable=true, consumeBroadcastEnable=true, retryQueueNums=2, retryMaxTimes=3, brokerId=1, whichBrokerWhenConsumeSlowly=0, notifyConsumerIdsChangedEnable=false]",
    );
  });

  it("deleteSubGroup -b and -c", async () => {
    const capture = loadCapture("updateSubGroup"); // its cluster info
    const deleted: string[] = [];
    const admin = capturedAdmin(capture, {
      deleteSubscriptionGroup: async (addr, group) => void deleted.push(`${group}@${addr}`),
    });
    const b = await runWith(["deleteSubGroup", "-b", "b:1", "-g", "g"], admin, {}, env);
    expect(b.stdout).toBe("delete subscription group [g] from broker [b:1] success.\n");
    const c = await runWith(["deleteSubGroup", "-c", "DefaultCluster", "-g", "g"], admin, {}, env);
    expect(c.stdout).toBe(
      "delete subscription group [g] from broker [127.0.0.1:30911] in cluster [DefaultCluster] success.\n",
    );
    expect(deleted).toEqual(["g@b:1", "g@127.0.0.1:30911"]);
  });

  it("producerConnection of a group without clients", async () => {
    const admin = fakeAdmin({ examineProducerConnectionInfo: async () => [] });
    const r = await runWith(["producerConnection", "-n", "x:1", "-g", "g", "-t", "t"], admin);
    expect(r.stdout).toBe("Not found the producer group connection\n");
  });

  it("resetOffsetByTime prints the offsets in Java's HashMap order whatever order the brokers answered in", async () => {
    const capture = loadCapture("resetOffsetByTime");
    const captured = capturedAdmin(capture);
    const admin = capturedAdmin(capture, {
      resetOffsetByTimestamp: async (...args) => (await captured.resetOffsetByTimestamp(...args)).reverse(),
    });
    const r = await runWith(
      ["resetOffsetByTime", "-g", GROUP, "-t", "TopicTest", "-s", "1795396084886"],
      admin,
      {},
      env,
    );
    expect(r.stdout).toBe(capture.stdout);
  });

  it("resetOffsetByTime: `now` is -1, a date is local time, -f false is passed on", async () => {
    const asked: [number, boolean][] = [];
    const admin = fakeAdmin({
      resetOffsetByTimestamp: async (_topic, _group, timestamp, force) => {
        asked.push([timestamp, force]);
        return [];
      },
    });
    await runWith(["resetOffsetByTime", "-n", "x:1", "-g", "g", "-t", "t", "-s", "now"], admin);
    const r = await runWith(
      ["resetOffsetByTime", "-n", "x:1", "-g", "g", "-t", "t", "-s", "2026-11-23#01:08:04:886", "-f", "false"],
      admin,
    );
    expect(asked).toEqual([
      [-1, true],
      [Date.UTC(2026, 10, 23, 1, 8, 4, 886), false],
    ]);
    expect(r.stdout.split("\n")[0]).toBe(
      `rollback consumer offset by specified group[g], topic[t], force[false], timestamp(string)[2026-11-23#01:08:04:886], timestamp(long)[${Date.UTC(2026, 10, 23, 1, 8, 4, 886)}]`,
    );
    const bad = await runWith(["resetOffsetByTime", "-n", "x:1", "-g", "g", "-t", "t", "-s", "yesterday"], admin);
    expect(bad).toMatchObject({
      code: 1,
      stderr: 'resetOffsetByTime command failed: CODE: -1  DESC: Unparseable date: "yesterday"\n',
    });
  });
});
