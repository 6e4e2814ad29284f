/**
 * A small stand-in for the Caffeine caches Java's proxy puts in front of the name server and the
 * brokers (topic route, topic config, subscription group): an entry expires `expireAfterAccessMs`
 * after its last read and is reloaded in the background `refreshAfterWriteMs` after it was loaded;
 * a failed background reload keeps the old value (Java's `reload` catch). At most `maximumSize`
 * entries: the least recently read go first (Caffeine's is a frequency sketch; LRU is close enough
 * for a bound). Expired entries are dropped as new ones come in, so keys read once (a client asking
 * for topics that do not exist) do not pile up. Injected clock.
 */
export interface CacheSpec {
  expireAfterAccessMs: number;
  refreshAfterWriteMs: number;
  maximumSize: number;
}

export interface LoadingCacheOptions extends CacheSpec {
  now: () => number;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
  accessedAt: number;
  refreshing: boolean;
}

export class LoadingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly loader: (key: string) => Promise<V>,
    private readonly options: LoadingCacheOptions,
  ) {}

  async get(key: string): Promise<V> {
    const now = this.options.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.accessedAt < this.options.expireAfterAccessMs) {
      entry.accessedAt = now;
      // keep the map in read order: the least recently read first
      this.entries.delete(key);
      this.entries.set(key, entry);
      if (!entry.refreshing && now - entry.loadedAt >= this.options.refreshAfterWriteMs) this.refresh(key, entry);
      return entry.value;
    }
    return this.load(key);
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }

  size(): number {
    return this.entries.size;
  }

  private insert(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    const now = this.options.now();
    for (const [k, e] of this.entries) {
      const over = this.entries.size > this.options.maximumSize;
      if (!over && now - e.accessedAt < this.options.expireAfterAccessMs) break;
      this.entries.delete(k);
    }
  }

  private load(key: string): Promise<V> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const p = this.loader(key).then(
      (value) => {
        const t = this.options.now();
        this.insert(key, { value, loadedAt: t, accessedAt: t, refreshing: false });
        this.loading.delete(key);
        return value;
      },
      (err: unknown) => {
        this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  private refresh(key: string, entry: Entry<V>): void {
    entry.refreshing = true;
    this.loader(key).then(
      (value) => {
        // an entry evicted meanwhile stays out
        if (this.entries.get(key) !== entry) return;
        entry.value = value;
        entry.loadedAt = this.options.now();
        entry.refreshing = false;
      },
      () => {
        entry.refreshing = false;
        entry.loadedAt = this.options.now();
      },
    );
  }
}
