// The whole test suite from a fresh clone: install, build, lint/format check, all tests.
import { ensureDebianTool } from "./debianTool.mjs";
import { pnpm } from "./pnpm.mjs";

// the console's browser tests drive Debian's chromium (playwright-core brings no browser)
ensureDebianTool("chromium");
// the chaos scenarios' hosts are network namespaces with nftables rules (test/chaos/README.md)
ensureDebianTool("ip", "iproute2");
ensureDebianTool("nft", "nftables");

pnpm(["install", "--frozen-lockfile"]);
pnpm(["run", "build"]);
pnpm(["run", "lint"]);
pnpm(["exec", "vitest", "run", ...process.argv.slice(2)]);
