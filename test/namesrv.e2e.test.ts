/** bin/mqnamesrv as a real process: flags, config file, logs, KV persistence, bad input, SIGTERM. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRequest, encodeFrame, RemotingClient } from "@rocketmq-ts/remoting";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "mqnamesrv");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolvePort(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], home: string): Proc {
  const child = spawn(BIN, args, { env: { ...process.env, JAVA_OPT_EXT: `-Duser.home=${home}`, ROCKETMQ_HOME: ROOT } });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), "mqnamesrv-e2e-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("bin/mqnamesrv", () => {
  it("starts from a config file, logs under user.home, keeps KV config across restarts, stops on SIGTERM", async () => {
    const home = tempHome();
    const port = await freePort();
    const conf = join(home, "namesrv.properties");
    writeFileSync(conf, `listenPort=${port}\norderMessageEnable=true\n`);
    const ns = run(["-c", conf], home);
    await until(() => ns.stdout().includes("boot success"));
    expect(ns.stdout()).toBe(
      `load config properties file OK, ${conf}\nThe Name Server boot success. serializeType=JSON\n`,
    );

    const client = new RemotingClient();
    cleanups.push(() => client.shutdown());
    const addr = `127.0.0.1:${port}`;
    const put = createRequest(100, { extFields: { namespace: "ORDER_TOPIC_CONFIG", key: "T", value: "broker-a:4" } });
    expect((await client.invokeSync(addr, put, 3000)).code).toBe(0);
    const kvFile = join(home, "namesrv", "kvConfig.json");
    expect(JSON.parse(readFileSync(kvFile, "utf8"))).toEqual({
      configTable: { ORDER_TOPIC_CONFIG: { T: "broker-a:4" } },
    });

    ns.child.kill("SIGTERM");
    expect(await ns.exited).toBe(0);
    expect(readFileSync(join(home, "logs", "rocketmqlogs", "namesrv.log"), "utf8")).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO main - Shutdown hook over, the cost time\(ms\): \d+$/m,
    );

    const again = run(["-c", conf], home);
    await until(() => again.stdout().includes("boot success"));
    const get = await client.invokeSync(
      addr,
      createRequest(101, { extFields: { namespace: "ORDER_TOPIC_CONFIG", key: "T" } }),
      3000,
    );
    expect(get.code).toBe(0);
    expect(get.extFields?.["value"]).toBe("broker-a:4");
  });

  it("answers bad requests with Java's codes and never goes down", async () => {
    const home = tempHome();
    const port = await freePort();
    const conf = join(home, "namesrv.properties");
    writeFileSync(conf, `listenPort=${port}\n`);
    const ns = run(["-c", conf], home);
    await until(() => ns.stdout().includes("boot success"));
    const client = new RemotingClient();
    cleanups.push(() => client.shutdown());
    const addr = `127.0.0.1:${port}`;

    const unknown = await client.invokeSync(addr, createRequest(12345), 3000);
    expect([unknown.code, unknown.remark]).toEqual([3, " request type 12345 not supported"]);

    const noTopic = await client.invokeSync(addr, createRequest(105, { extFields: {} }), 3000);
    expect(noTopic.code).toBe(1);
    expect(noTopic.remark).toContain("the custom field <topic> is null");

    const unknownTopic = await client.invokeSync(addr, createRequest(105, { extFields: { topic: "Nope" } }), 3000);
    expect(unknownTopic.code).toBe(17);
    expect(unknownTopic.remark).toBe(
      "No topic route info in name server for the topic: Nope\nSee http://rocketmq.apache.org/docs/faq/ for further details.",
    );

    const garbage = createRequest(103, {
      extFields: {
        brokerName: "b",
        brokerAddr: "1.1.1.1:1",
        clusterName: "c",
        haServerAddr: "1.1.1.1:2",
        brokerId: "0",
        compressed: "false",
      },
      body: Buffer.from("{not json"),
    });
    const garbageAnswer = await client.invokeSync(addr, garbage, 3000);
    expect(garbageAnswer.code).toBe(1);
    const badCrc = createRequest(103, {
      extFields: { ...garbage.extFields, bodyCrc32: "12345" },
      body: Buffer.from('{"filterServerList":[]}'),
    });
    expect((await client.invokeSync(addr, badCrc, 3000)).remark).toBe("crc32 not match");

    // a malformed frame closes only that connection
    const raw = net.connect({ host: "127.0.0.1", port });
    await new Promise((r) => raw.once("connect", r));
    const closed = new Promise((r) => raw.once("close", r));
    raw.on("error", () => undefined);
    raw.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
    await closed;
    const frame = encodeFrame(createRequest(206));
    expect(frame.length).toBeGreaterThan(8);
    expect((await client.invokeSync(addr, createRequest(206), 3000)).code).toBe(0);
    expect(ns.child.exitCode).toBeNull();
  });

  it("keeps serving when its console is closed (`mqnamesrv | head -1`)", async () => {
    const home = tempHome();
    const port = await freePort();
    const conf = join(home, "namesrv.properties");
    writeFileSync(conf, `listenPort=${port}\n`);
    const ns = run(["-c", conf], home);
    ns.child.stdout?.destroy(); // the boot lines go to a pipe nobody reads any more
    const client = new RemotingClient();
    cleanups.push(() => client.shutdown());
    const log = join(home, "logs", "rocketmqlogs", "namesrv.log");
    await until(() => existsSync(log) && readFileSync(log, "utf8").includes("The Name Server boot success"), 15_000);
    expect((await client.invokeSync(`127.0.0.1:${port}`, createRequest(206), 3000)).code).toBe(0);
    expect(ns.child.exitCode).toBeNull();
    expect(ns.stderr()).toBe("");
  });

  it("refuses a bad config value naming the key", async () => {
    const home = tempHome();
    const conf = join(home, "bad.properties");
    writeFileSync(conf, "listenPort=98x76\n");
    const ns = run(["-c", conf], home);
    expect(await ns.exited).not.toBe(0);
    expect(ns.stderr()).toContain("listenPort");
    expect(existsSync(join(home, "logs", "rocketmqlogs", "namesrv.log"))).toBe(false);
  });

  it("prints usage with -h and every config item with -p", async () => {
    const home = tempHome();
    const help = run(["-h"], home);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/^usage: mqnamesrv \[-c <arg>\] \[-h\] \[-n <arg>\] \[-p\]/);
    const print = run(["-p"], home);
    expect(await print.exited).toBe(0);
    const keys = print
      .stdout()
      .trim()
      .split("\n")
      .map((l) => l.replace(/^.* INFO main - /, "").split("=")[0]);
    expect(keys).toContain("kvConfigPath");
    expect(keys).toContain("listenPort");
    expect(print.stdout()).toContain(`kvConfigPath=${join(home, "namesrv", "kvConfig.json")}`);
  });
});
