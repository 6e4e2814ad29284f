// Builds, then runs every package's benchmark (bench/*-bench.mjs). Figures go to stdout.
import { readdirSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pnpm } from "./pnpm.mjs";

pnpm(["run", "build"]);
for (const pkg of readdirSync("packages")) {
  const dir = join("packages", pkg, "bench");
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir).filter((f) => f.endsWith("-bench.mjs"))) {
    spawnSync(process.execPath, [join(dir, file), ...process.argv.slice(2)], { stdio: "inherit" });
  }
}
