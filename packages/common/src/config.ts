/**
 * Config objects bound from Java properties the way RocketMQ's `MixAll.properties2Object` does
 * (key = field name, case-sensitive), except that a value that does not parse is an error naming
 * the key instead of being silently ignored.
 */
export type ConfigFieldType = "int" | "long" | "boolean" | "string" | "double";

interface ConfigTypeMap {
  int: number;
  long: number;
  boolean: boolean;
  string: string;
  double: number;
}

export interface ConfigField<T extends ConfigFieldType = ConfigFieldType> {
  readonly type: T;
  /** Default value; `null` for Java fields that start out null. */
  readonly default: ConfigTypeMap[T] | null;
  /** Allowed values for enum-like string keys (e.g. brokerRole). */
  readonly values?: readonly string[];
  /** Java's @ImportantField (printed by `-m`). */
  readonly important?: boolean;
  /** Name Java prints (its field name) when it differs from the settable key (`isEnableBatchPush`). */
  readonly fieldName?: string;
  /**
   * "5.x": a key 4.9.8 does not have, taken from 5.x (5.3.3) for a feature served as 5.x does (POP,
   * timer messages, the proxy, topic attributes). Listed and settable like the others; tests that
   * compare our keys with a 4.9.8 capture leave these out.
   */
  readonly since?: "5.x";
}

export type ConfigSpec = Readonly<Record<string, ConfigField>>;

/** The keys of a spec that 4.9.8 lacks (taken from 5.x). */
export function keysSince5x(spec: ConfigSpec): string[] {
  return Object.entries(spec)
    .filter(([, field]) => field.since === "5.x")
    .map(([key, field]) => field.fieldName ?? key);
}

export type ConfigOf<S extends ConfigSpec> = {
  -readonly [K in keyof S]: null extends S[K]["default"]
    ? ConfigTypeMap[S[K]["type"]] | null
    : ConfigTypeMap[S[K]["type"]];
};

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export function configDefaults<S extends ConfigSpec>(spec: S): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) out[k] = f.default;
  return out as ConfigOf<S>;
}

/** Parse one value as Java would for the field's type; throws ConfigError naming the key. */
export function parseConfigValue(key: string, field: ConfigField, raw: string): unknown {
  const bad = (what: string): never => {
    const hint = raw !== raw.trim() ? " (it has leading/trailing whitespace, which Java does not strip)" : "";
    throw new ConfigError(key, `Invalid value for config key '${key}': '${raw}' is not ${what}${hint}`);
  };
  switch (field.type) {
    case "string":
      if (field.values && !field.values.includes(raw)) bad(`one of ${field.values.join(", ")}`);
      return raw;
    case "boolean":
      if (raw.toLowerCase() === "true") return true;
      if (raw.toLowerCase() === "false") return false;
      return bad("true or false");
    case "int":
    case "long": {
      if (!/^[+-]?\d+$/.test(raw)) return bad(field.type === "int" ? "an integer" : "a long integer");
      const b = BigInt(raw);
      const limit = field.type === "int" ? 2n ** 31n : 2n ** 63n;
      if (b >= limit || b < -limit) return bad(`within the range of a Java ${field.type}`);
      return Number(b);
    }
    case "double": {
      const n = Number(raw);
      if (raw.trim() === "" || raw !== raw.trim() || Number.isNaN(n)) return bad("a number");
      return n;
    }
  }
}

/**
 * Apply the keys of `props` that belong to `spec` onto `target`. Returns the keys it used.
 * Throws ConfigError for the first value that does not parse.
 */
export function applyProperties<S extends ConfigSpec>(
  target: ConfigOf<S>,
  spec: S,
  props: ReadonlyMap<string, string>,
): Set<string> {
  const used = new Set<string>();
  for (const [key, raw] of props) {
    const field = spec[key];
    if (!field) continue;
    (target as Record<string, unknown>)[key] = parseConfigValue(key, field, raw);
    used.add(key);
  }
  return used;
}

/**
 * `name=value` lines in declaration order, as `MixAll.printObjectProperties` prints them (a null
 * value as an empty one). With `omitNull`, as `MixAll.properties2String` writes them for the config
 * answers (GET_BROKER_CONFIG, GET_NAMESRV_CONFIG) and the persisted config file: a key whose value is
 * null is left out.
 */
export function configLines<S extends ConfigSpec>(
  spec: S,
  config: ConfigOf<S>,
  options: { onlyImportant?: boolean; omitNull?: boolean } = {},
): string[] {
  const lines: string[] = [];
  for (const [key, field] of Object.entries(spec)) {
    if (options.onlyImportant && !field.important) continue;
    const value = (config as Record<string, unknown>)[key];
    if (value === null || value === undefined) {
      if (!options.omitNull) lines.push(`${field.fieldName ?? key}=`);
      continue;
    }
    lines.push(`${field.fieldName ?? key}=${String(value)}`);
  }
  return lines;
}

/**
 * A config object bound to its spec, so that configs of different specs can be listed together
 * and handled alike (printed, updated at runtime).
 */
export interface BoundConfig {
  /** The object's `name=value` lines as the config answers carry them (configLines, null values left out). */
  lines(): string[];
  /**
   * Apply the keys of `props` that belong to the spec onto a copy — throwing ConfigError, as
   * applyProperties does, leaves the object untouched — and return the step that copies the
   * result into the object.
   */
  prepareUpdate(props: ReadonlyMap<string, string>): () => void;
}

export function bindConfig<S extends ConfigSpec>(spec: S, config: ConfigOf<S>): BoundConfig {
  return {
    lines: () => configLines(spec, config, { omitNull: true }),
    prepareUpdate: (props) => {
      const copy = { ...config };
      applyProperties(copy, spec, props);
      return () => Object.assign(config, copy);
    },
  };
}
