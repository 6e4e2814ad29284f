/** Namespaced key/value config of the name server, persisted to kvConfig.json like Java's. */
import { entries, loadWithBackup, obj, str, string2File } from "@rocketmq-ts/common";
import { javaHashMapOrder, parseFastjson, stringifyFastjson } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";

/** A copy of `map` in the iteration order of Java's HashMap (how fastjson writes Java's tables). */
function inHashMapOrder<V>(map: ReadonlyMap<string, V>): Map<string, V> {
  const ordered = new Map<string, V>();
  for (const key of javaHashMapOrder([...map.keys()])) ordered.set(key, map.get(key) as V);
  return ordered;
}

export class KVConfigManager {
  private readonly configTable = new Map<string, Map<string, string>>();

  constructor(
    private readonly kvConfigPath: string,
    private readonly logger: Logger,
  ) {}

  /** Load kvConfig.json (or its .bak). A file that cannot be read is logged and skipped, as Java does. */
  load(): void {
    const table = loadWithBackup(
      this.kvConfigPath,
      (text) => {
        const root = obj(parseFastjson(text), "kvConfig");
        return entries(root["configTable"], "configTable").map(
          ([ns, kv]) => [ns, new Map(entries(kv, ns).map(([k, v]) => [k, str(v, `${ns}.${k}`)]))] as const,
        );
      },
      (path, err) => this.logger.error({ path, err: err.message }, "load KV config table exception"),
    );
    for (const [ns, kv] of table ?? []) this.configTable.set(ns, kv);
    if (table)
      this.logger.info({ path: this.kvConfigPath, namespaces: this.configTable.size }, "load KV config table OK");
  }

  putKVConfig(namespace: string, key: string, value: string): void {
    let kv = this.configTable.get(namespace);
    if (!kv) this.configTable.set(namespace, (kv = new Map()));
    const prev = kv.get(key);
    kv.set(key, value);
    this.logger.info(
      { namespace, key, value },
      prev === undefined ? "putKVConfig create new config item" : "putKVConfig update config item",
    );
    this.persist();
  }

  /** Remove the key; the namespace stays even when it has no key left, and the file is written either way (as Java). */
  deleteKVConfig(namespace: string, key: string): void {
    const kv = this.configTable.get(namespace);
    if (kv) {
      const value = kv.get(key);
      kv.delete(key);
      this.logger.info({ namespace, key, value }, "deleteKVConfig delete a config item");
    }
    this.persist();
  }

  getKVConfig(namespace: string, key: string): string | undefined {
    return this.configTable.get(namespace)?.get(key);
  }

  /** The namespace's keys and values (empty for a namespace whose keys were all deleted), undefined for an unknown one. */
  getKVListByNamespace(namespace: string): Map<string, string> | undefined {
    const kv = this.configTable.get(namespace);
    return kv ? inHashMapOrder(kv) : undefined;
  }

  private persist(): void {
    try {
      const configTable = new Map([...inHashMapOrder(this.configTable)].map(([ns, kv]) => [ns, inHashMapOrder(kv)]));
      string2File(stringifyFastjson({ configTable }), this.kvConfigPath);
    } catch (err) {
      this.logger.error({ path: this.kvConfigPath, err: (err as Error).message }, "persist kvconfig Exception");
    }
  }

  /** Periodic dump to the log (Java does it every 10 minutes). */
  printAll(): void {
    for (const [namespace, kv] of this.configTable) {
      for (const [key, value] of kv) this.logger.info({ namespace, key, value }, "configTable");
    }
  }
}
