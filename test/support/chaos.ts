/**
 * Runs `node test/chaos/run.mjs <scenario> ...args` (the harness behind `npm run chaos`) as a child
 * process and returns its exit code and the JSON report it printed.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./cluster.js";

export interface ChaosRun<R> {
  code: number | null;
  report: R;
  stdout: string;
}

export function runChaos<R = Record<string, unknown>>(args: string[]): Promise<ChaosRun<R>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "test", "chaos", "run.mjs"), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => {
      const start = stdout.indexOf("\n{");
      const end = stdout.lastIndexOf("\n}");
      if (start < 0 || end < 0) {
        reject(
          new Error(
            `chaos ${args.join(" ")} printed no report (exit ${code}):\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`,
          ),
        );
        return;
      }
      resolve({ code, stdout, report: JSON.parse(stdout.slice(start + 1, end + 2)) as R });
    });
  });
}

/** The scenarios on network namespaces need root (ip netns, nftables). */
export const canMakeNamespaces = process.getuid?.() === 0;
