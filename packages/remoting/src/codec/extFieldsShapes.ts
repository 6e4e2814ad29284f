import type { ExtFields } from "../protocol/RemotingCommand.js";
import { setOwn } from "./jsonHeader.js";

/*
 * Ext-field objects built with one object literal per key sequence seen before.
 *
 * A decoded header used to be filled key by key into `{}`. Every request type has its own key
 * sequence, so that one store site sees dozens of hidden classes and V8 handles it megamorphically
 * (~50 ns per key, 0.7 µs for a send's 14 keys). Here the keys of one header are walked down a trie
 * of sequences seen before; a sequence seen twice gets a generated `(v) => ({"k0": v[0], …})`, an
 * object literal with its own fixed shape — one allocation, no transitions, and later reads of the
 * header's fields (`defineHeader`'s decoders) stay monomorphic.
 *
 * Same result as key-by-key assignment: own enumerable string properties in first-seen order, a
 * repeated key keeping its first position and its last value (as in a literal). "__proto__" (which
 * a literal would take as the prototype) and anything beyond the trie's bounds go the old way, so
 * a peer sending endless fresh key names costs memory only up to those bounds.
 */

const MAX_NODES = 4096;
const MAX_SHAPES = 512;
/** A sequence is compiled on its second sighting: one-off key sets are not worth a compile. */
const COMPILE_AFTER = 2;

type Shape = (values: readonly string[]) => ExtFields;

interface Node {
  readonly key: string;
  /** The child seen first; nearly every node has exactly one. */
  first: Node | undefined;
  /** The other children, by key. */
  others: Map<string, Node> | undefined;
  sightings: number;
  shape: Shape | undefined;
}

function newNode(key: string): Node {
  return { key, first: undefined, others: undefined, sightings: 0, shape: undefined };
}

let root = newNode("");
let nodeCount = 0;
let shapeCount = 0;

function compile(keys: readonly string[], n: number): Shape {
  const props: string[] = [];
  for (let i = 0; i < n; i++) props.push(`${JSON.stringify(keys[i])}: v[${i}]`);
  // generated from key names only ever used as quoted string literals (JSON.stringify)
  return new Function("v", `return { ${props.join(", ")} };`) as Shape;
}

function assign(keys: readonly string[], values: readonly string[], n: number): ExtFields {
  const out: ExtFields = {};
  for (let i = 0; i < n; i++) setOwn(out, keys[i] as string, values[i] as string);
  return out;
}

/** The ext fields `keys[i] = values[i]` for i < n, as an object. */
export function buildExtFields(keys: readonly string[], values: readonly string[], n: number): ExtFields {
  let node = root;
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string;
    let child = node.first;
    if (child === undefined || child.key !== key) {
      child = node.others?.get(key);
      if (child === undefined) {
        if (nodeCount >= MAX_NODES || key === "__proto__") return assign(keys, values, n);
        child = newNode(key);
        nodeCount++;
        if (node.first === undefined) node.first = child;
        else (node.others ??= new Map()).set(key, child);
      }
    }
    node = child;
  }
  const shape = node.shape;
  if (shape !== undefined) return shape(values);
  if (++node.sightings < COMPILE_AFTER || shapeCount >= MAX_SHAPES) return assign(keys, values, n);
  shapeCount++;
  node.shape = compile(keys, n);
  return node.shape(values);
}

/** Counts for tests. */
export function extFieldsShapeStats(): { nodes: number; shapes: number } {
  return { nodes: nodeCount, shapes: shapeCount };
}

/** Forget every sequence (tests). */
export function resetExtFieldsShapes(): void {
  root = newNode("");
  nodeCount = 0;
  shapeCount = 0;
}
