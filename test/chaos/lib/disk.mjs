// Disks for the chaos scenarios: a small file system of its own (an ext4 image on a loop device, or
// a size-limited tmpfs) that is always unmounted again, its usage as Java's disk check sees it,
// fillers (a file written in this process up to a given free space, or another process writing
// until ENOSPC), and the checks of a stopped broker's store: every commit-log record CRC-checked,
// every config JSON parsed, and `bin/mqstore verify` when it exists.
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statfsSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { checkRecord } from "../../../packages/common/dist/index.js";
import { parseFastjson } from "../../../packages/remoting/dist/index.js";
import { ROOT } from "./processes.mjs";

const MiB = 1024 * 1024;

/** Mount points not unmounted yet: an interrupted run (SIGINT/SIGTERM, exit) still unmounts them. */
const mounted = new Set();

function unmountNow(dir) {
  try {
    execFileSync("umount", [dir], { stdio: "ignore" });
  } catch {
    // still busy (a process of a failed run holds a file): detach it now, it goes when released
    try {
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
    } catch {
      // not mounted any more
    }
  }
  mounted.delete(dir);
}

/**
 * Interrupted: unmount first (lazily while a server still holds files), before the harness's own
 * handler removes the run's directory; exit only when no other handler will (a listener replaces
 * the default action, termination).
 */
function unmountOnSignal(signal) {
  for (const dir of [...mounted]) unmountNow(dir);
  if (process.listenerCount(signal) === 1) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
}

function watchSignals(on) {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    if (on) process.prependListener(signal, unmountOnSignal);
    else process.off(signal, unmountOnSignal);
  }
}
process.on("exit", () => {
  for (const dir of [...mounted]) unmountNow(dir);
});

/** Whether this process may mount file systems (root; loop devices and tmpfs are tried by `mountFs`). */
export function canMount() {
  return process.getuid?.() === 0;
}

/**
 * A file system of `sizeMiB` mounted at `<dir>/mnt`: `ext4` (an image file `<dir>/fs.img` on a loop
 * device that detaches itself at unmount; no blocks reserved for root, so statfs's free space is
 * what a writer gets; the image stays, with the store in it, until the run's directory goes) or
 * `tmpfs` (size-limited). `unmount()` is idempotent and also runs when the process is interrupted
 * or exits.
 */
export function mountFs(dir, { kind = "ext4", sizeMiB = 256 } = {}) {
  const mountPoint = join(dir, "mnt");
  mkdirSync(mountPoint, { recursive: true });
  const image = join(dir, "fs.img");
  if (kind === "ext4") {
    closeSync(openSync(image, "w"));
    truncateSync(image, sizeMiB * MiB);
    execFileSync("mkfs.ext4", ["-q", "-F", "-m", "0", image], { stdio: "ignore" });
    execFileSync("mount", ["-o", "loop", image, mountPoint], { stdio: "ignore" });
  } else if (kind === "tmpfs") {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMiB}m`, "tmpfs", mountPoint], { stdio: "ignore" });
  } else throw new Error(`unknown file system kind ${kind} (ext4 or tmpfs)`);
  if (mounted.size === 0) watchSignals(true);
  mounted.add(mountPoint);
  return {
    kind,
    sizeMiB,
    mountPoint,
    unmount() {
      if (!mounted.has(mountPoint)) return;
      unmountNow(mountPoint);
      if (mounted.size === 0) watchSignals(false);
    },
  };
}

/** Mount points under `dir` still mounted (from /proc/mounts), e.g. to clean up after a killed run. */
export function mountsUnder(dir) {
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m) => m !== undefined && (m === dir || m.startsWith(`${dir}/`)));
}

/** Unmount everything mounted under `dir` (lazily when busy). */
export function unmountAllUnder(dir) {
  for (const m of mountsUnder(dir).reverse()) unmountNow(m);
}

/**
 * The file system holding `path` as Java's UtilAll.getDiskPartitionSpaceUsedPercent sees it (used /
 * (used + available), rounded up to whole percent), with the free bytes a non-root writer gets.
 */
export function usage(path) {
  const st = statfsSync(path);
  const total = st.blocks * st.bsize;
  const free = st.bavail * st.bsize;
  const used = total - st.bfree * st.bsize;
  return { totalBytes: total, freeBytes: free, usedRatio: Math.ceil((used * 100) / (used + free)) / 100 };
}

/**
 * Write `file` in 1 MiB chunks until the file system holding it has at most `leaveBytes` free, and
 * sync it (its writeback must not throttle whoever writes next).
 */
export function fillUntilFree(file, leaveBytes) {
  const chunk = Buffer.alloc(MiB, 0x5a);
  const fd = openSync(file, "a");
  let written = 0;
  try {
    for (;;) {
      const room = usage(file).freeBytes - leaveBytes;
      if (room <= 0) break;
      written += writeSync(fd, chunk, 0, Math.min(MiB, room));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return written;
}

/**
 * Another process writing `file` until the file system refuses (ENOSPC): 1 MiB writes, then 4 KiB,
 * then 512 bytes, so that nothing is left. Resolves with the bytes it wrote and its exit code.
 */
export function fillerProcess(file) {
  const script = `
    const fs = require("node:fs");
    const fd = fs.openSync(process.argv[1], "a");
    let written = 0;
    for (const size of [1048576, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x5a);
      try { for (;;) written += fs.writeSync(fd, chunk); }
      catch (e) { if (e.code !== "ENOSPC") throw e; }
    }
    fs.closeSync(fd);
    console.log(written);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script, file], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve({ bytes: Number(out.trim()), pid: child.pid }) : reject(new Error(`filler: ${err}`)),
    );
  });
}

/** Bytes of `buf` from `from` on that are not zero (a torn or stray write past the end of data). */
function nonZeroAfter(buf, from) {
  let n = 0;
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) n++;
  return n;
}

/**
 * Walk the commit log of a stopped store as recovery does and CRC-check every record (`checkRecord`):
 * records back to back, a BLANK moving to the next file, the first record that does not parse is the
 * end of data — which must be in the last file that holds any, with nothing but zeros after it. Every
 * body in `expected` must be stored. Returns the figures and a list of errors (empty: consistent).
 */
export function checkCommitLog(storeRoot, expected = []) {
  const dir = join(storeRoot, "commitlog");
  const names = existsSync(dir) ? readdirSync(dir).sort() : [];
  const bodies = new Set();
  const errors = [];
  let records = 0;
  let bytes = 0;
  let end = null; // { file, pos, reason }
  for (const name of names) {
    const buf = readFileSync(join(dir, name));
    if (end) {
      const stray = nonZeroAfter(buf, 0);
      if (stray > 0) errors.push(`${name}: ${stray} non-zero bytes after the end of data in ${end.file}`);
      continue;
    }
    let pos = 0;
    for (;;) {
      const check = checkRecord(buf, pos, buf.length, true);
      if (check.kind === "message") {
        records++;
        bytes += check.size;
        bodies.add(check.msg.body?.toString() ?? "");
        pos += check.size;
      } else if (check.kind === "blank") break;
      else {
        end = { file: name, pos, reason: check.reason };
        const stray = nonZeroAfter(buf, pos);
        if (stray > 0)
          errors.push(`${name}: ${stray} non-zero bytes after the end of data at ${pos} (${check.reason})`);
        break;
      }
    }
  }
  const missing = expected.filter((b) => !bodies.has(b));
  if (missing.length > 0)
    errors.push(
      `${missing.length} acknowledged messages not in the commit log, e.g. ${missing.slice(0, 5).join(", ")}`,
    );
  return { files: names.length, records, bytes, end, errors };
}

/**
 * Parse every `config/*.json` (fastjson, as the broker writes them) of a stopped store: a torn file
 * is an error. Leftover `.tmp` files (a write the disk refused) are listed, not errors: the broker
 * never reads them.
 */
export function checkConfigFiles(storeRoot) {
  const dir = join(storeRoot, "config");
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  const errors = [];
  const parsed = [];
  for (const name of files.filter((f) => f.endsWith(".json"))) {
    try {
      parseFastjson(readFileSync(join(dir, name), "utf8"));
      parsed.push(name);
    } catch (err) {
      errors.push(`${name}: ${err.message}`);
    }
  }
  return { parsed, leftoverTmp: files.filter((f) => f.endsWith(".tmp")), errors };
}

/** `bin/mqstore verify <store> --json` when that tool exists (null otherwise): exit 0 consistent, 1 errors. */
export function mqstoreVerify(storeRoot) {
  const bin = join(ROOT, "bin", "mqstore");
  if (!existsSync(bin)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn(bin, ["verify", storeRoot, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      let report = null;
      try {
        report = JSON.parse(out);
      } catch {
        // not JSON: keep the text
      }
      resolve({ code, report, output: report ? undefined : (out + err).slice(0, 1000) });
    });
  });
}
