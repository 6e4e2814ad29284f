/**
 * The client's side of the typed headers (`defineHeader` in remoting): requests are encoded with
 * the same declarations the broker and name server decode them with, answers are read through
 * the declared response headers.
 *
 * Java's `makeCustomHeaderToNet` puts a header's fields into a HashMap in the order its reflection
 * lists them; two fields in the same bucket keep that order on the wire. `headerFields` derives a
 * declaration with a given field order (and only those fields), so a request's frame stays
 * byte-identical to the Java client's.
 */
import {
  decodeHeader,
  type ExtFields,
  type FieldSpec,
  type HeaderDefinition,
  type HeaderOf,
  type HeaderSpec,
} from "@rocketmq-ts/remoting";

/** The declaration restricted to `keys`, in that order (the order Java puts them). */
export function headerFields<S extends HeaderSpec, K extends keyof S & string>(
  def: HeaderDefinition<S>,
  keys: readonly K[],
): HeaderDefinition<Pick<S, K>> {
  const fields = {} as Pick<S, K>;
  for (const key of keys) fields[key] = def.fields[key];
  return { name: def.name, fields };
}

/** The declaration with fields added after its own (a field the client writes that the server ignores). */
export function withFields<S extends HeaderSpec, E extends HeaderSpec>(
  def: HeaderDefinition<S>,
  extra: E,
): HeaderDefinition<S & E> {
  return { name: def.name, fields: { ...def.fields, ...extra } };
}

const lenientCache = new WeakMap<HeaderDefinition<HeaderSpec>, HeaderDefinition<HeaderSpec>>();

function lenient(def: HeaderDefinition<HeaderSpec>): HeaderDefinition<HeaderSpec> {
  let out = lenientCache.get(def);
  if (!out) {
    const fields: Record<string, FieldSpec> = {};
    for (const [key, spec] of Object.entries(def.fields))
      fields[key] = spec.default === undefined ? { type: spec.type } : { type: spec.type, default: spec.default };
    out = { name: def.name, fields };
    lenientCache.set(def, out);
  }
  return out;
}

/**
 * A header read through its declaration with every field optional: the client falls back on its
 * own value for a field it lacks (an error answer carries no header) instead of failing. Java's
 * client only decodes the answers it expects a header on; ours reads the fields that are there.
 */
export function decodeHeaderLeniently<S extends HeaderSpec>(
  def: HeaderDefinition<S>,
  ext: ExtFields | null,
): Partial<HeaderOf<S>> {
  return decodeHeader(lenient(def), ext) as Partial<HeaderOf<S>>;
}
