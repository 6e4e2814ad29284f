/** A `config/*.json` file: Java's ConfigManager load (with .bak fallback) and pretty fastjson persist. */
import { loadWithBackup, string2File } from "@rocketmq-ts/common";
import { parseFastjson, stringifyFastjson, type Jsonable, type JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";

export class ConfigFile {
  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** Decode the file (or its .bak); null when neither exists. Throws when a present .bak does not decode. */
  load<T>(decode: (json: JsonValue) => T): T | null {
    let lastError: Error | null = null;
    const value = loadWithBackup(
      this.path,
      (text) => decode(parseFastjson(text)),
      (path, err) => {
        lastError = err;
        this.logger.error({ path, err: err.message }, "load config file failed");
      },
    );
    if (value === null && lastError) throw lastError;
    if (value !== null) this.logger.info({ path: this.path }, "load config file OK");
    return value;
  }

  /** Write `value` as pretty fastjson (file.tmp, old content to .bak); failures are logged, not thrown. */
  persist<T>(value: T & Jsonable<T>): void {
    try {
      string2File(stringifyFastjson(value, { pretty: true }), this.path);
    } catch (err) {
      this.logger.error({ path: this.path, err: (err as Error).message }, "persist config file failed");
    }
  }
}
