// The chaos harness: npm run chaos -- <scenario> [--rounds N] [--seconds S] [--keep]
// Starts the scenario's cluster of real processes in a temp directory, injects its faults, and ends
// with the checker's report (acknowledged, received, lost, duplicated, per-round recovery times).
// Exit code 1 when an acknowledged message was lost. --keep leaves the directory (stores, logs).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
log(`${name}: ${scenario.description}; home ${home}`);
let report;
try {
  report = await scenario.run({ home, rounds, seconds, log });
} finally {
  if (!args.includes("--keep")) rmSync(home, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));
log(
  `${name}: ${report.acknowledged} acknowledged of ${report.attempts} sends, ${report.received} received, lost ${report.lost}, duplicated ${report.duplicated}`,
);
process.exit(report.lost === 0 ? 0 : 1);
