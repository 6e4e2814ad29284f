/**
 * Certificate rotation without a restart, as 4.9.8's broker and name server do it with
 * `FileWatchService`: every 500 ms the server's certificate, key and trust files are hashed (MD5);
 * a changed trust file reloads at once, a changed certificate waits for its key to change too (and
 * the other way round) so that a half-done rotation is never loaded. A reload reads the files again
 * (not `tls.config.file`) and gives the new credentials to every server for its next connections;
 * one that fails (say a key caught half written) is logged and the old credentials stay, as in Java —
 * but here the pair stays "changed" until a reload succeeds, so the next change of either file tries
 * again (Java forgets it and waits for both to change once more). Files that did not exist at start
 * are not watched (Java's rule too). Nothing is watched for the self-signed certificate of test mode.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { buildServerTls, type ServerTls, type TlsLogger } from "./TlsSettings.js";

/** Java's FileWatchService interval. */
export const TLS_WATCH_INTERVAL_MS = 500;

/** What takes reloaded credentials (a RemotingServer). */
export interface TlsReloadTarget {
  updateTls(tls: ServerTls): void;
}

export class ServerTlsWatcher {
  private readonly hashes = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private certChanged = false;
  private keyChanged = false;
  private reloading = false;

  constructor(
    private readonly tls: ServerTls,
    private readonly targets: readonly TlsReloadTarget[],
    private readonly log: TlsLogger,
    private readonly intervalMs = TLS_WATCH_INTERVAL_MS,
  ) {}

  /** Whether there is anything to watch (TLS on, with files of the operator's). */
  get watching(): boolean {
    return this.files().length > 0;
  }

  start(): void {
    if (this.timer) return;
    for (const path of this.files()) {
      const hash = hashOf(path);
      if (hash !== null) this.hashes.set(path, hash);
    }
    if (this.hashes.size === 0) return;
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private files(): string[] {
    const { config, context } = this.tls;
    if (!config || !context || context.selfSigned) return [];
    const paths = [config.serverCertPath, config.serverKeyPath, config.serverTrustCertPath];
    return paths.filter((p): p is string => p !== null && existsSync(p));
  }

  /** One round of the watch (the timer's); tests call it to step the watcher. */
  check(): void {
    const config = this.tls.config;
    if (!config) return;
    let trustChanged = false;
    let changed = false;
    for (const [path, old] of this.hashes) {
      const hash = hashOf(path);
      if (hash === null || hash === old) continue;
      this.hashes.set(path, hash);
      changed = true;
      if (path === config.serverTrustCertPath) {
        this.log.info({ path }, "the trusted certificates changed, reloading TLS");
        trustChanged = true;
      }
      if (path === config.serverCertPath) this.certChanged = true;
      if (path === config.serverKeyPath) this.keyChanged = true;
    }
    if (!changed) return;
    const pair = this.certChanged && this.keyChanged;
    if (pair && !trustChanged) this.log.info({}, "the certificate and its key changed, reloading TLS");
    if (pair || trustChanged) void this.reload(pair);
  }

  private async reload(pair: boolean): Promise<void> {
    const config = this.tls.config;
    if (!config || this.reloading) return;
    this.reloading = true;
    try {
      const next = await buildServerTls(this.tls.mode, config);
      for (const target of this.targets) target.updateTls(next);
      if (pair) this.certChanged = this.keyChanged = false;
      this.log.info({}, "TLS credentials reloaded");
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "TLS reload failed, keeping the current credentials");
    } finally {
      this.reloading = false;
    }
  }
}

function hashOf(path: string): string | null {
  try {
    return createHash("md5").update(readFileSync(path)).digest("hex");
  } catch {
    return null; // gone for now (being replaced): looked at again next time
  }
}
