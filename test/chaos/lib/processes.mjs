// Real bin/mqnamesrv and bin/mqbroker processes for the chaos scenarios: free loopback ports, a home
// of their own under the run's directory, kill -9 / SIGSTOP / restart from the same config.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freeBrokerPort } from "../../../scripts/ports.mjs";

export { freeBrokerPort };

export const ROOT = resolve(import.meta.dirname, "../../..");

/** Server processes of this run that may still be alive (the harness kills them on SIGINT / SIGTERM). */
export const servers = new Set();

/**
 * A server process started from `bin/<bin> -c <conf>` with `props` written to its config file;
 * `start()` resolves when it printed its boot line, `kill9()`, `stop()` and `start()` again reuse
 * the same config and home (the store survives). `prefix` is an argv run before the command, e.g.
 * `ip netns exec <ns>` to start it on a host of a `Network` (both exec, so the pid is the server's).
 */
export class ServerProcess {
  constructor(home, name, bin, props, { prefix = [] } = {}) {
    this.prefix = prefix;
    this.name = name;
    this.bin = bin;
    this.home = join(home, name);
    mkdirSync(this.home, { recursive: true });
    this.conf = join(this.home, `${name}.properties`);
    writeFileSync(this.conf, props.join("\n") + "\n");
    this.child = null;
    this.starts = 0;
  }

  get alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(timeoutMs = 60_000) {
    this.starts++;
    const argv = [...this.prefix, join(ROOT, "bin", this.bin), "-c", this.conf];
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ROCKETMQ_HOME: ROOT, JAVA_OPT_EXT: `-Duser.home=${this.home}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    servers.add(this);
    this.exited = new Promise((r) => child.once("exit", r));
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err = (err + d.toString()).slice(-4096)));
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not boot within ${timeoutMs} ms`)), timeoutMs);
      child.stdout.on("data", (d) => {
        if (out.length < 4096) out += d.toString();
        if (out.includes("boot success")) {
          clearTimeout(timer);
          resolvePromise();
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.name} exited (${signal ?? code}) while starting: ${out.slice(-500)} ${err.slice(-2000)}`),
        );
      });
    });
  }

  get pid() {
    return this.child?.pid;
  }

  /** kill -9; resolves when the process is gone. */
  async kill9() {
    if (!this.alive) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGSTOP: the process keeps its sockets but does nothing (a long GC pause, a hung host). */
  suspend() {
    if (this.alive) this.child.kill("SIGSTOP");
  }

  resume() {
    if (this.alive) this.child.kill("SIGCONT");
  }

  async stop() {
    if (!this.alive) return;
    this.child.kill("SIGCONT");
    this.child.kill("SIGTERM");
    const gone = await Promise.race([this.exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!gone) await this.kill9();
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wait until `cond()` (sync or async) holds, polling every 100 ms; throws after `ms`. */
export async function until(cond, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}
