// The chaos harness: npm run chaos -- <scenario> [--rounds N] [--seconds S] [--keep]
// Starts the scenario's cluster of real processes in a temp directory, injects its faults, and ends
// with the checker's report (acknowledged, received, lost, duplicated, per-round recovery times).
// Exit code 1 when an acknowledged message was lost (or the scenario's own `ok` is false).
// --keep leaves the directory (stores, logs). A scenario's `run({ home, rounds, seconds, log, args })`
// resolves to its report: an object printed as JSON, with `lost` or an `ok` flag and an optional
// one-line `summary`.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networks } from "./lib/network.mjs";
import { servers } from "./lib/processes.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const scenarios = readdirSync(join(import.meta.dirname, "scenarios"))
  .filter((f) => f.endsWith(".mjs"))
  .map((f) => f.slice(0, -4));
const name = args[0];
if (!scenarios.includes(name)) {
  console.error(
    `usage: npm run chaos -- <scenario> [--rounds N] [--seconds S] [--keep]\nscenarios: ${scenarios.join(", ")}`,
  );
  process.exit(2);
}
const scenario = await import(`./scenarios/${name}.mjs`);
const rounds = Number(opt("--rounds", "5"));
const seconds = Number(opt("--seconds", "10"));
const home = mkdtempSync(join(tmpdir(), `chaos-${name}-`));
const started = Date.now();
// interrupted: nothing of the run may stay behind (servers, namespaces, the directory)
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, () => {
    for (const s of servers) if (s.alive) s.child.kill("SIGKILL");
    for (const n of networks) n.destroy();
    if (!args.includes("--keep")) rmSync(home, { recursive: true, force: true });
    process.exit(130);
  });
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
log(`${name}: ${scenario.description}; home ${home}`);
let report;
try {
  report = await scenario.run({ home, rounds, seconds, log, args });
} finally {
  if (!args.includes("--keep")) rmSync(home, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));
log(
  `${name}: ${
    report.summary ??
    `${report.acknowledged} acknowledged of ${report.attempts} sends, ${report.received} received, lost ${report.lost}, duplicated ${report.duplicated}`
  }`,
);
process.exit((report.ok ?? report.lost === 0) ? 0 : 1);
