// Log files written by real processes: nothing lost when a process exits right after logging, and
// mqadmin logs to Java's tools files, never to its console.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, run } from "./support/cluster.js";

const dirs: string[] = [];
const tempHome = (): string => {
  const d = mkdtempSync(join(tmpdir(), "rmq-logfiles-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function node(script: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env, stdio: "ignore" });
  return new Promise((r) => child.on("exit", (code) => r(code)));
}

const LINES = 2000;

describe("log files of real processes", () => {
  for (const format of ["text", "json"]) {
    it(`keeps every ${format} line when the process calls process.exit right after logging`, async () => {
      const home = tempHome();
      const common = pathToFileURL(join(ROOT, "packages/common/dist/index.js")).href;
      const script = `
        import { RocketmqLogging, LoggerName, namedLogger } from ${JSON.stringify(common)};
        const broker = new RocketmqLogging("broker").logger(LoggerName.BROKER);
        const store = namedLogger(broker, LoggerName.STORE);
        for (let i = 0; i < ${LINES}; i++) {
          broker.info({ i }, "broker line " + "x".repeat(200));
          store.warn({ i }, "store line");
        }
        process.exit(0);
      `;
      const env = { ...process.env, JAVA_OPT_EXT: `-Duser.home=${home}`, ROCKETMQ_LOG_FORMAT: format };
      expect(await node(script, env)).toBe(0);
      const logs = join(home, "logs", "rocketmqlogs");
      for (const [file, msg] of [
        ["broker.log", "broker line"],
        ["store.log", "store line"],
      ] as const) {
        const lines = readFileSync(join(logs, file), "utf8").trimEnd().split("\n");
        expect(lines).toHaveLength(LINES);
        expect(lines.every((l) => l.includes(msg))).toBe(true);
        const last = lines[LINES - 1] ?? "";
        if (format === "json")
          expect(JSON.parse(last)).toMatchObject({ i: LINES - 1, msg: expect.stringContaining(msg) });
        else
          expect(last).toMatch(
            new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\w+ main - ${msg}.* i=${LINES - 1}$`),
          );
      }
    });
  }

  it("mqadmin logs to tools files under user.home and prints only its own output", async () => {
    const home = tempHome();
    const admin = run("mqadmin", ["clusterList", "-n", "127.0.0.1:1"], home);
    await admin.exited;
    expect(admin.stdout()).not.toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO|WARN|ERROR)/);
    expect(admin.stdout()).not.toContain('"level"');
    expect(readdirSync(join(home, "logs", "rocketmqlogs")).sort()).toEqual([
      "rocketmq_client.log",
      "tools.log",
      "tools_default.log",
    ]);
  });
});
