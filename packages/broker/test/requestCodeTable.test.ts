/**
 * packages/broker/README.md's table of request codes against the real registration: the codes a
 * constructed (not started) BrokerController registers on its two ports, and the processor module
 * under src/processor/ whose exported `…Processors` function answers each code.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { configDefaults, nettyClientConfigSpec, nettyServerConfigSpecFor } from "@rocketmq-ts/common";
import { RemotingServer, RequestCode, type RequestProcessor } from "@rocketmq-ts/remoting";
import { messageStoreConfigSpec } from "@rocketmq-ts/store";
import { BrokerController } from "../src/BrokerController.js";
import type { BrokerContext } from "../src/BrokerContext.js";
import { brokerConfigSpec } from "../src/config/BrokerConfig.js";
import { testBrokers } from "./support/brokerContext.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const PROCESSOR_DIR = join(PACKAGE_DIR, "src", "processor");
const BEGIN = "<!-- request-code-table:begin -->";
const END = "<!-- request-code-table:end -->";

const open = testBrokers();
const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  while (cleanups.length) cleanups.pop()?.();
});

/** Code → "main" or "both" as BrokerController registers them (on listenPort, and on listenPort − 2). */
function registeredCodes(): Map<number, "main only" | "main + VIP"> {
  const root = mkdtempSync(join(tmpdir(), "broker-registration-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const register = vi.spyOn(RemotingServer.prototype, "registerProcessor");
  const controller = new BrokerController({
    brokerConfig: { ...configDefaults(brokerConfigSpec({})), namesrvAddr: null },
    nettyServerConfig: configDefaults(nettyServerConfigSpecFor(10911)),
    nettyClientConfig: configDefaults(nettyClientConfigSpec),
    messageStoreConfig: { ...configDefaults(messageStoreConfigSpec({})), storePathRootDir: root },
    logger: pino({ level: "silent" }),
  });
  const onPort = (server: RemotingServer): Set<number> =>
    new Set(register.mock.calls.filter((_, i) => register.mock.contexts[i] === server).map(([code]) => code));
  const main = onPort(controller.remotingServer);
  const vip = onPort(controller.fastRemotingServer);
  expect(
    [...vip].filter((code) => !main.has(code)),
    "codes served on the VIP port only",
  ).toEqual([]);
  return new Map([...main].map((code) => [code, vip.has(code) ? "main + VIP" : "main only"]));
}

function processorFiles(dir = PROCESSOR_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? processorFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const isProcessorModule = (name: string, value: unknown): value is (ctx: BrokerContext) => unknown =>
  typeof value === "function" && name.endsWith("Processors");

/** Code → the files (relative to the package) whose `…Processors` exports answer it. */
async function handlingFiles(ctx: BrokerContext): Promise<Map<number, string[]>> {
  const files = new Map<number, string[]>();
  for (const file of processorFiles()) {
    const module: Record<string, unknown> = await import(file);
    for (const [name, value] of Object.entries(module)) {
      if (!isProcessorModule(name, value)) continue;
      const table = value(ctx);
      if (!(table instanceof Map)) continue;
      for (const code of (table as Map<number, RequestProcessor>).keys()) {
        files.set(code, [...(files.get(code) ?? []), relative(PACKAGE_DIR, file)]);
      }
    }
  }
  return files;
}

const codeName = (code: number): string =>
  Object.entries(RequestCode).find(([, value]) => value === code)?.[0] ?? "(unnamed)";

/** The table's rows as cells, whatever padding the formatter gave its columns. */
const tableCells = (table: string): string[][] =>
  table
    .trim()
    .split("\n")
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => !cells.every((cell) => /^:?-+:?$/.test(cell)));

function readmeTable(): string {
  const readme = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return readme.slice(begin + BEGIN.length, end);
}

describe("README request-code table", () => {
  it("lists every code the broker registers, with the file that handles it and its ports", async () => {
    const registered = registeredCodes();
    const files = await handlingFiles(open().ctx);
    const rows = [...registered]
      .sort(([a], [b]) => a - b)
      .map(([code, ports]) => {
        const handlers = files.get(code) ?? [];
        expect(handlers, `files handling ${code} ${codeName(code)}`).toHaveLength(1);
        const [file] = handlers;
        return `| ${code} | ${codeName(code)} | [${file}](${file}) | ${ports} |`;
      });
    const expected = ["| Code | Name | Handled in | Ports |", "| ---: | --- | --- | --- |", ...rows].join("\n");
    expect(tableCells(readmeTable()), `README.md's table is stale; it should read:\n${expected}\n`).toEqual(
      tableCells(expected),
    );
  });

  it("no processor module answers a code the broker does not register", async () => {
    const registered = registeredCodes();
    const files = await handlingFiles(open().ctx);
    expect([...files.keys()].filter((code) => !registered.has(code))).toEqual([]);
  });
});
