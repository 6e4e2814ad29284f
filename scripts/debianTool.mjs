// A command-line tool from Debian's packages, installed with apt-get when it is missing (as root).
import { spawnSync } from "node:child_process";

export function ensureDebianTool(command, pkg = command) {
  if (spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`${command} is missing: install Debian's ${pkg} (apt-get install ${pkg}) and run again`);
    process.exit(1);
  }
  console.log(`installing ${pkg} (apt-get)`);
  const r = spawnSync("apt-get", ["install", "-y", "-q", pkg], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`apt-get install ${pkg} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
