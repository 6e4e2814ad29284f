// The whole test suite from a fresh clone: install, build, lint/format check, all tests.
import { pnpm } from "./pnpm.mjs";

pnpm(["install", "--frozen-lockfile"]);
pnpm(["run", "build"]);
pnpm(["run", "lint"]);
pnpm(["exec", "vitest", "run", ...process.argv.slice(2)]);
