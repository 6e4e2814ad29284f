/**
 * HA replication against the captured Java 4.9.8 master↔slave stream (wire/ha-replication): the
 * frame codecs, our slave fed the Java master's bytes, our master answering the Java slave's
 * reports, and the SYNC_MASTER put statuses.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { innerMessage } from "./support/messages.js";
import { pino } from "pino";
import { configDefaults, parseHost, type MessageInner } from "@rocketmq-ts/common";
import {
  DefaultMessageStore,
  encodeSlaveReport,
  encodeTransferHeader,
  messageStoreConfigSpec,
  SlaveReportReader,
  TransferFrameDecoder,
  type MessageStoreConfig,
  type TransferFrame,
} from "@rocketmq-ts/store";
import { freePort, until } from "../../../test/support/cluster.js";
import { WIRE_DIR } from "../../../test/support/corpus.js";

const HA_DIR = join(WIRE_DIR, "ha-replication");

interface Chunk {
  dir: "c2s" | "s2c";
  streamOffset: number;
  base64: string;
}
interface Decoded {
  seq: number;
  dir: "c2s" | "s2c";
  type: "slaveReport" | "heartbeat" | "transfer";
  slaveMaxPhyOffset?: number;
  masterPhyOffset?: number;
  bodySize?: number;
  hex?: string;
  headerHex?: string;
}

const capture = (JSON.parse(readFileSync(join(HA_DIR, "ha-stream.json"), "utf8")) as { chunks: Chunk[] }[])[0] as {
  chunks: Chunk[];
};
const decoded = readFileSync(join(HA_DIR, "ha-decoded.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Decoded);
const stream = (dir: "c2s" | "s2c"): Buffer =>
  Buffer.concat(capture.chunks.filter((c) => c.dir === dir).map((c) => Buffer.from(c.base64, "base64")));
const masterStream = stream("s2c");
const masterFrames = decoded.filter((d) => d.dir === "s2c");
const slaveReports = decoded.filter((d) => d.dir === "c2s").map((d) => d.slaveMaxPhyOffset as number);

/** The Java master's commit log as it streamed it: every transfer body concatenated. */
function javaCommitLog(): Buffer {
  const frames = new TransferFrameDecoder().push(masterStream);
  return Buffer.concat(frames.filter((f) => f.body.length > 0).map((f) => f.body));
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const host = parseHost("127.0.0.1:30911");

async function openStore(
  overrides: Partial<MessageStoreConfig>,
  prepare?: (root: string) => void,
): Promise<DefaultMessageStore> {
  const root = mkdtempSync(join(tmpdir(), "store-ha-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  prepare?.(root);
  const store = new DefaultMessageStore(
    {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: root,
      mappedFileSizeCommitLog: 1024 * 1024,
      mappedFileSizeConsumeQueue: 6000,
      haListenPort: await freePort(),
      haSendHeartbeatInterval: 5000,
      ...overrides,
    },
    { logger: pino({ level: "silent" }), storeHost: host, haBindAddress: "127.0.0.1" },
  );
  store.load();
  store.start();
  await store.haService.start();
  cleanups.push(() => store.shutdown());
  return store;
}

function message(i: number, extra: Partial<MessageInner> = {}): MessageInner {
  return innerMessage(host, {
    queueId: i % 2,
    body: Buffer.alloc(500, 65 + (i % 26)),
    propertiesString: `KEYS\u0001key-${i}\u0002UNIQ_KEY\u0001U${i}`,
    ...extra,
  });
}

describe("HA frame codecs on the captured stream", () => {
  it("cut the master's stream into exactly the captured frames, however TCP splits it", () => {
    for (const split of [0, 1, 7, 12, 13, 1000, 32780]) {
      const decoder = new TransferFrameDecoder();
      const frames: TransferFrame[] = [];
      if (split === 0)
        for (const c of capture.chunks.filter((x) => x.dir === "s2c"))
          frames.push(...decoder.push(Buffer.from(c.base64, "base64")));
      else
        for (let i = 0; i < masterStream.length; i += split)
          frames.push(...decoder.push(masterStream.subarray(i, i + split)));
      expect(frames.map((f) => [f.offset, f.body.length])).toEqual(
        masterFrames.map((d) => [d.masterPhyOffset, d.bodySize]),
      );
    }
    for (const d of masterFrames)
      expect(encodeTransferHeader(d.masterPhyOffset as number, d.bodySize as number).toString("hex")).toBe(d.headerHex);
  });

  it("read the slave's reports (last complete long wins) and encode them identically", () => {
    const reader = new SlaveReportReader();
    const seen: number[] = [];
    for (const c of capture.chunks.filter((x) => x.dir === "c2s")) {
      const v = reader.push(Buffer.from(c.base64, "base64"));
      if (v !== null) seen.push(v);
    }
    expect(seen).toEqual(slaveReports);
    const all = stream("c2s");
    const halves = new SlaveReportReader();
    expect(halves.push(all.subarray(0, 13))).toBe(slaveReports[0]);
    expect(halves.push(all.subarray(13))).toBe(slaveReports[slaveReports.length - 1]);
    for (const d of decoded.filter((x) => x.dir === "c2s"))
      expect(encodeSlaveReport(d.slaveMaxPhyOffset as number).toString("hex")).toBe(d.hex);
  });
});

describe("our slave replicating from the captured Java master stream", () => {
  it("reports like the Java slave, stores the Java commit log byte for byte and dispatches it", async () => {
    const reports: number[] = [];
    const server = net.createServer((socket) => {
      const reader = new SlaveReportReader();
      let started = false;
      socket.on("data", (chunk: Buffer) => {
        const v = reader.push(chunk);
        if (v === null) return;
        reports.push(v);
        if (started) return;
        started = true;
        // replay the Java master's segments as it sent them
        const chunks = capture.chunks.filter((c) => c.dir === "s2c");
        let i = 0;
        const next = (): void => {
          const c = chunks[i++];
          if (!c || socket.destroyed) return;
          socket.write(Buffer.from(c.base64, "base64"));
          setTimeout(next, 5);
        };
        next();
      });
      socket.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const masterHa = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const slave = await openStore({ brokerRole: "SLAVE", haMasterAddress: masterHa, haSendHeartbeatInterval: 200 });
    const end = slaveReports[slaveReports.length - 1] as number;
    await until(() => reports.includes(end), 15_000, "slave report of the last offset");
    // an empty slave asks for 0 first; every later report is one the Java slave also sent
    expect(reports[0]).toBe(0);
    for (const r of reports) expect(slaveReports).toContain(r);
    expect(slave.getMaxPhyOffset()).toBe(end);
    const java = javaCommitLog();
    expect(Buffer.compare(slave.commitLog.getData(0)?.buffer ?? Buffer.alloc(0), java)).toBe(0);
    // 1000 quickstart messages over 4 queues + 3 mqadmin messages, all dispatched
    let total = 0;
    for (let q = 0; q < 4; q++) total += slave.getMaxOffsetInQueue("TopicTest", q);
    expect(total).toBe(1003);
    const got = slave.getMessage("TopicTest", 1, 0, 1);
    expect(got.status).toBe("FOUND");
    expect(slave.lookMessageByOffset(0)?.body?.toString()).toBe("Hello RocketMQ 0");
  });

  it("reports its offset as soon as it is connected, not one heartbeat later", async () => {
    const reportedAt: number[] = [];
    let connectedAt = 0;
    const server = net.createServer((socket) => {
      connectedAt = Date.now();
      socket.on("data", () => reportedAt.push(Date.now()));
      socket.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    await openStore({
      brokerRole: "SLAVE",
      haMasterAddress: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      haSendHeartbeatInterval: 60_000,
    });
    // with a one-minute heartbeat, a report within seconds can only be the one sent at connect
    await until(() => reportedAt.length > 0, 10_000, "the first report");
    expect((reportedAt[0] as number) - connectedAt).toBeLessThan(10_000);
  });

  it("closes the connection when the master pushes an offset other than its max", async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.on("data", () => {
        socket.write(Buffer.concat([encodeTransferHeader(4096, 4), Buffer.alloc(4)]));
      });
      socket.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const slave = await openStore({
      brokerRole: "SLAVE",
      haMasterAddress: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      haSendHeartbeatInterval: 100,
    });
    await slave.putMessage(message(0)).catch(() => undefined); // refused: a slave takes no puts
    // give the slave a local log first so the pushed offset 4096 is wrong
    expect(slave.appendToCommitLog(0, javaCommitLog().subarray(0, 190))).toBe(true);
    await until(() => connections >= 1, 5000, "connect");
    await until(() => !slave.haService.haClient.connected, 5000, "slave closing the connection");
    expect(slave.getMaxPhyOffset()).toBe(190);
  });
});

describe("our master serving the captured Java slave", () => {
  /** A store holding the first `bytes` of the Java master's commit log, as the Java master had. */
  function seedJavaLog(bytes: number): (root: string) => void {
    return (root) => {
      mkdirSync(join(root, "commitlog"), { recursive: true });
      const file = Buffer.alloc(1024 * 1024);
      javaCommitLog().copy(file, 0, 0, bytes);
      writeFileSync(join(root, "commitlog", "00000000000000000000"), file);
    };
  }

  function connectSlave(port: number): { socket: net.Socket; frames: TransferFrame[]; raw: Buffer[] } {
    const socket = net.connect(port, "127.0.0.1");
    const decoder = new TransferFrameDecoder();
    const frames: TransferFrame[] = [];
    const raw: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => {
      raw.push(Buffer.from(chunk));
      frames.push(...decoder.push(chunk));
    });
    socket.on("error", () => undefined);
    cleanups.push(() => void socket.destroy());
    return { socket, frames, raw };
  }

  it("streams byte-identical frames: heartbeat, catch-up in 32 KiB cuts, then one frame per new message", async () => {
    const catchUpEnd = 191890;
    const master = await openStore(
      { brokerRole: "ASYNC_MASTER", haSendHeartbeatInterval: 100 },
      seedJavaLog(catchUpEnd),
    );
    expect(master.getMaxPhyOffset()).toBe(catchUpEnd);
    const slave = connectSlave(master.config.haListenPort);
    await new Promise((r) => setTimeout(r, 250)); // first report later than a heartbeat interval, as the Java slave's
    slave.socket.write(encodeSlaveReport(0));
    await until(() => slave.frames.some((f) => f.offset + f.body.length === catchUpEnd), 5000, "catch-up");
    // heartbeat + 6 transfers exactly as the Java master sent them (seq 1..8 of the capture)
    const javaCatchUp = masterStream.subarray(0, 12 + 6 * 12 + catchUpEnd);
    expect(Buffer.compare(Buffer.concat(slave.raw).subarray(0, javaCatchUp.length), javaCatchUp)).toBe(0);
    slave.socket.write(encodeSlaveReport(catchUpEnd));
    await until(() => master.haService.push2SlaveMaxOffset === catchUpEnd, 5000, "ack");

    // the three mqadmin messages: one 180-byte frame each, identical to the capture's
    const java = javaCommitLog();
    for (const d of masterFrames.filter((x) => x.type === "transfer" && x.bodySize === 180)) {
      const offset = d.masterPhyOffset as number;
      expect(master.appendToCommitLog(offset, java.subarray(offset, offset + 180))).toBe(true);
      master.haService.notifyNewData();
      await until(() => slave.frames.some((f) => f.offset === offset && f.body.length === 180), 5000, "transfer");
      const frame = slave.frames.find((f) => f.offset === offset && f.body.length === 180) as TransferFrame;
      expect(Buffer.concat([encodeTransferHeader(frame.offset, 180), frame.body]).toString("hex")).toBe(
        Buffer.concat([Buffer.from(d.headerHex as string, "hex"), java.subarray(offset, offset + 180)]).toString("hex"),
      );
      slave.socket.write(encodeSlaveReport(offset + 180));
    }
    // idle: heartbeat headers carrying the next position
    const before = slave.frames.length;
    await until(() => slave.frames.length > before, 2000, "heartbeat");
    expect(slave.frames[slave.frames.length - 1]).toEqual({ offset: 192430, body: Buffer.alloc(0) });
  });

  it("starts a fresh slave at the master's last file and drops a slave that claims more than the master has", async () => {
    const master = await openStore({ brokerRole: "ASYNC_MASTER", mappedFileSizeCommitLog: 64 * 1024 });
    for (let i = 0; i < 300; i++) await master.putMessage(message(i));
    const max = master.getMaxPhyOffset();
    expect(master.getMaxPhyOffset()).toBeGreaterThan(2 * 64 * 1024); // more than two files
    const slave = connectSlave(master.config.haListenPort);
    slave.socket.write(encodeSlaveReport(0));
    await until(() => slave.frames.some((f) => f.offset + f.body.length === max), 5000, "transfer");
    expect(slave.frames[0]?.offset).toBe(max - (max % (64 * 1024)));
    slave.socket.write(encodeSlaveReport(max + 1));
    await until(() => slave.socket.destroyed || slave.socket.readableEnded, 5000, "master closing");
    expect(master.haService.connectionCount).toBe(0);
  });
});

describe("what is not a slave", () => {
  it("a non-report on the HA port is dropped; a slave ahead of the master acknowledges nothing", async () => {
    const master = await openStore({ brokerRole: "SYNC_MASTER", slaveTimeout: 200 });
    await master.putMessage(message(0));
    const port = master.config.haListenPort;
    const probe = net.connect(port, "127.0.0.1");
    probe.on("error", () => undefined);
    probe.write(Buffer.from("GET / HTTP/1.0\r\n\r\n"));
    await until(() => probe.destroyed || probe.readableEnded, 5000, "probe dropped");
    expect(master.haService.push2SlaveMaxOffset).toBe(0);
    // a slave reporting beyond our end (it outlived a crash of this master) is kept but proves nothing
    const ahead = net.connect(port, "127.0.0.1");
    ahead.on("error", () => undefined);
    cleanups.push(() => void ahead.destroy());
    await until(() => master.haService.connectionCount === 1, 5000, "ahead slave connected");
    ahead.write(encodeSlaveReport(master.getMaxPhyOffset() + 1_000_000));
    await new Promise((r) => setTimeout(r, 100));
    expect(master.haService.push2SlaveMaxOffset).toBe(0);
    expect((await master.putMessage(message(1))).status).toBe("FLUSH_SLAVE_TIMEOUT");
  });
});

describe("SYNC_MASTER acknowledgement", () => {
  it("SLAVE_NOT_AVAILABLE without a slave, PUT_OK once a slave holds the message, FLUSH_SLAVE_TIMEOUT when it does not ack", async () => {
    const master = await openStore({ brokerRole: "SYNC_MASTER", slaveTimeout: 300 });
    const alone = await master.putMessage(message(0));
    expect(alone.status).toBe("SLAVE_NOT_AVAILABLE");
    expect(master.lookMessageByOffset(0)?.queueOffset).toBe(0); // stored all the same
    // WAIT=false: no waiting for anybody
    const noWait = await master.putMessage(message(1, { propertiesString: "WAIT\u0001false" }));
    expect(noWait.status).toBe("PUT_OK");

    // a slave that connects but never acknowledges
    const mute = net.connect(master.config.haListenPort, "127.0.0.1");
    mute.on("error", () => undefined);
    await until(() => master.haService.connectionCount === 1, 5000, "mute slave");
    const t0 = Date.now();
    const timedOut = await master.putMessage(message(2));
    expect(timedOut.status).toBe("FLUSH_SLAVE_TIMEOUT");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    mute.destroy();
    await until(() => master.haService.connectionCount === 0, 5000, "mute slave gone");

    const slave = await openStore({
      brokerRole: "SLAVE",
      haMasterAddress: `127.0.0.1:${master.config.haListenPort}`,
      haSendHeartbeatInterval: 50,
    });
    await until(() => slave.getMaxPhyOffset() === master.getMaxPhyOffset(), 10_000, "slave catch-up");
    const results = await Promise.all([3, 4, 5, 6].map((i) => master.putMessage(message(i))));
    expect(results.map((r) => r.status)).toEqual(["PUT_OK", "PUT_OK", "PUT_OK", "PUT_OK"]);
    expect(slave.getMaxPhyOffset()).toBeGreaterThanOrEqual(master.getMaxPhyOffset());
    expect(slave.getMaxOffsetInQueue("T", 0) + slave.getMaxOffsetInQueue("T", 1)).toBe(7);
  });
});
