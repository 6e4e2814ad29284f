// Runs pnpm without requiring it to be installed: the pinned version comes through npx
// (corepack's signature check fails on some Node 20 builds).
import { spawnSync } from "node:child_process";

export const PNPM_VERSION = "9.15.9";

export function pnpm(args, options = {}) {
  const r = spawnSync("npx", ["-y", `pnpm@${PNPM_VERSION}`, ...args], { stdio: "inherit", ...options });
  if (r.status !== 0) {
    console.error(`pnpm ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}
