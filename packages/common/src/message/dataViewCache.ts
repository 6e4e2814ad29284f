/**
 * A DataView over the last buffer asked for, made again only when the buffer changes. DataView
 * reads and writes are several times cheaper than Buffer's checked ones, and the hot paths (the
 * writer appending to one mapped file, a recovery scan reading one) use the same buffer again and
 * again; each path keeps its own cache so that they do not evict each other.
 */
export function dataViewCache(): (b: Buffer) => DataView {
  let viewOf: Buffer | null = null;
  let view: DataView | null = null;
  return (b) => {
    if (b !== viewOf || !view) {
      view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      viewOf = b;
    }
    return view;
  };
}
