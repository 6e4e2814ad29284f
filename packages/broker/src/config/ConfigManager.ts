/**
 * Java's ConfigManager: one table of the broker kept in `<storeRoot>/config/<fileName>`.
 * `load` decodes the file (or its .bak when the file is missing or does not decode) and only then
 * applies it, so a bad file leaves the table as it was; `persist` writes the table as pretty
 * fastjson through a .tmp file, keeping the previous content as .bak. A subclass supplies how its
 * table is decoded, applied and encoded.
 */
import { join } from "node:path";
import type { Jsonable, JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigFile } from "../ConfigFile.js";

export abstract class ConfigManager<Decoded, Encoded> {
  private readonly file: ConfigFile;

  protected constructor(
    storeRoot: string,
    /** The file's name under `config/`, also the path named in decoding errors. */
    protected readonly fileName: string,
    logger: Logger,
  ) {
    this.file = new ConfigFile(join(storeRoot, "config", fileName), logger);
  }

  /** The file's content as the table's values; throws when it is not a valid file of this kind. */
  protected abstract decode(json: JsonValue): Decoded;

  /** Put what `load` decoded into the table. */
  protected abstract applyLoaded(decoded: Decoded): void;

  /** The file's content for the current table. */
  protected abstract encode(): Encoded & Jsonable<Encoded>;

  load(): void {
    const decoded = this.file.load((json) => this.decode(json));
    if (decoded !== null) this.applyLoaded(decoded);
  }

  persist(): void {
    this.file.persist<Encoded>(this.encode());
  }
}
