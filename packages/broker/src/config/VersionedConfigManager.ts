/**
 * A ConfigManager whose table carries a DataVersion (topics.json, subscriptionGroup.json): the file
 * is `{"dataVersion":{...},"<tableName>":{"<name>":{...row}}}`. Every change bumps the version
 * and persists; a slave takes its master's table whole when the master's version differs.
 */
import {
  dataVersionEquals,
  decodeDataVersion,
  entries,
  newDataVersion,
  nextDataVersion,
  obj,
  type DataVersion,
} from "@rocketmq-ts/common";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigManager } from "./ConfigManager.js";

/** A decoded versioned file: its data version (absent in very old files) and its rows. */
export interface VersionedTable<Row> {
  dataVersion: DataVersion | undefined;
  rows: Row[];
}

export abstract class VersionedConfigManager<Row, Encoded> extends ConfigManager<VersionedTable<Row>, Encoded> {
  dataVersion: DataVersion = newDataVersion();
  /** name → row, in insertion order (the order the file is written in). */
  protected readonly table = new Map<string, Row>();

  protected constructor(
    storeRoot: string,
    fileName: string,
    /** The JSON key of the table next to `dataVersion`. */
    private readonly tableName: string,
    logger: Logger,
  ) {
    super(storeRoot, fileName, logger);
  }

  /** One row of the table, found under `name`. */
  protected abstract decodeRow(json: JsonValue, name: string): Row;

  /** The name a row is kept under. */
  protected abstract rowName(row: Row): string;

  protected decode(json: JsonValue): VersionedTable<Row> {
    const o = obj(json, this.fileName);
    return {
      dataVersion: o["dataVersion"] === undefined ? undefined : decodeDataVersion(o["dataVersion"]),
      rows: entries(o[this.tableName], this.tableName).map(([name, v]) => this.decodeRow(v, name)),
    };
  }

  /** Loaded rows are added to (or replace) the rows already there, such as built-in ones. */
  protected applyLoaded(loaded: VersionedTable<Row>): void {
    for (const row of loaded.rows) this.table.set(this.rowName(row), row);
    if (loaded.dataVersion) this.dataVersion = loaded.dataVersion;
  }

  /** After a change to the table: next data version, then persist. */
  protected bumpDataVersionAndPersist(): void {
    this.dataVersion = nextDataVersion(this.dataVersion);
    this.persist();
  }

  /** Slave: take the master's table (its dump of this file) when its data version differs; true if taken. */
  syncFromMaster(json: JsonValue): boolean {
    const master = this.decode(json);
    if (!master.dataVersion || dataVersionEquals(master.dataVersion, this.dataVersion)) return false;
    this.table.clear();
    for (const row of master.rows) this.table.set(this.rowName(row), row);
    this.dataVersion = { ...master.dataVersion };
    this.persist();
    return true;
  }
}
