/** brokerStatus, getBrokerConfig, updateBrokerConfig against Java's captured runs. */
import { describe, expect, it } from "vitest";
import { loadCapture } from "./support/capture.js";
import { CAPTURED_BROKER, capturedAdmin } from "./support/capturedAdmin.js";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";

const env = { NAMESRV_ADDR: "127.0.0.1:39876" };

describe("broker commands print what Java's mqadmin printed", () => {
  it("brokerStatus -b", async () => {
    const capture = loadCapture("brokerStatus");
    const r = await runWith(["brokerStatus", "-b", CAPTURED_BROKER], capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("getBrokerConfig -b", async () => {
    const capture = loadCapture("getBrokerConfig");
    const r = await runWith(["getBrokerConfig", "-b", CAPTURED_BROKER], capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    // Java ends each broker's config with an empty line
    expect(capture.stdout.endsWith("\n\n")).toBe(true);
    expect(r.stdout).toBe(capture.stdout);
  });

  it("updateBrokerConfig -b sends Java's key=value", async () => {
    const capture = loadCapture("updateBrokerConfig");
    const r = await runWith(
      ["updateBrokerConfig", "-b", CAPTURED_BROKER, "-k", "fileReservedTime", "-v", "48"],
      capturedAdmin(capture),
      {},
      env,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });
});

describe("broker commands by cluster (-c)", () => {
  // a cluster of two broker sets, one with a slave
  const cluster = {
    clusterAddrTable: new Map([["C", ["b-1", "b-2"]]]),
    brokerAddrTable: new Map([
      [
        "b-1",
        {
          cluster: "C",
          brokerName: "b-1",
          brokerAddrs: new Map([
            [1, "s1:1"],
            [0, "m1:1"],
          ]),
        },
      ],
      ["b-2", { cluster: "C", brokerName: "b-2", brokerAddrs: new Map([[0, "m2:1"]]) }],
    ]),
  };
  const examineBrokerClusterInfo = async (): Promise<typeof cluster> => cluster;

  it("brokerStatus -c asks masters and slaves, prefixes each line with the address", async () => {
    const asked: string[] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo,
      fetchBrokerRuntimeStats: async (addr) => {
        asked.push(addr);
        return new Map([
          ["zKey", addr],
          ["aKey", "1"],
        ]);
      },
    });
    const r = await runWith(["brokerStatus", "-n", "x:1", "-c", "C"], admin);
    expect(asked).toEqual(["m1:1", "s1:1", "m2:1"]);
    const line = (addr: string, k: string, v: string): string => `${addr.padEnd(24)} ${k.padEnd(32)}: ${v}`;
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([line("m1:1", "aKey", "1"), line("m1:1", "zKey", "m1:1")]);
  });

  it("getBrokerConfig -c prints each master, then its slaves, in Java's HashMap order", async () => {
    const admin = fakeAdmin({
      examineBrokerClusterInfo,
      getBrokerConfig: async (addr) => `brokerName=${addr}\nlistenPort=1\n`,
    });
    const r = await runWith(["getBrokerConfig", "-n", "x:1", "-c", "C"], admin);
    const config = (heading: string, addr: string): string =>
      `============${heading}============\n${"brokerName".padEnd(50)}=  ${addr}\n${"listenPort".padEnd(50)}=  1\n\n`;
    // the broker names' HashSet gives b-2 before b-1; the masters' HashMap (capacity 4) m1:1 before m2:1
    expect(r.stdout).toBe(
      config("Master: m1:1", "m1:1") +
        config("My Master: m1:1=====Slave: s1:1", "s1:1") +
        config("Master: m2:1", "m2:1"),
    );
    const unknown = await runWith(["getBrokerConfig", "-n", "x:1", "-c", "Nope"], admin);
    expect(unknown.stdout).toBe(
      "[error] Make sure the specified clusterName exists or the name server connected to is correct.",
    );
  });

  it("updateBrokerConfig -c updates the masters only", async () => {
    const updated: [string, Map<string, string>][] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo,
      updateBrokerConfig: async (addr, props) => void updated.push([addr, props]),
    });
    const r = await runWith(["updateBrokerConfig", "-n", "x:1", "-c", "C", "-k", " k ", "-v", " v "], admin);
    expect(updated).toEqual([
      ["m1:1", new Map([["k", "v"]])],
      ["m2:1", new Map([["k", "v"]])],
    ]);
    expect(r.stdout).toBe("update broker config success, m1:1\nupdate broker config success, m2:1\n");
  });
});
