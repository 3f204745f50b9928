/**
 * A cache of promises by key: the first caller starts the load, every concurrent and later
 * caller awaits the same promise. This is what makes "each VPC described once per scan" hold
 * even when several clusters of one VPC are collected at the same time.
 */
export class PromiseCache<V> {
  readonly #entries = new Map<string, Promise<V>>();

  /** The value for `key`, loading it once. */
  getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = load();
      this.#entries.set(key, entry);
    }
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }
}
