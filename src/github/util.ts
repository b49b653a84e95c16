/** Small in-process helpers for webhook handling. */

/**
 * Remembers recent delivery ids, so a redelivered webhook is handled once. A delivery whose
 * handling failed is forgotten, so a manual redelivery can still do the work.
 */
export class DeliveryLog {
  private readonly ids = new Set<string>();
  constructor(private readonly max: number) {}
  /** True when this id was seen before (done or in progress); records it otherwise. */
  seen(id: string | undefined): boolean {
    if (!id) return false;
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
    return false;
  }
  /** Handling failed: let a redelivery through. */
  forget(id: string | undefined): void {
    if (id) this.ids.delete(id);
  }
}

/** Runs tasks with the same key one after another (two events on one issue never race). */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    try {
      await prev;
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** A bounded set of recent keys (oldest dropped first). */
export class RecentSet {
  private readonly keys = new Set<string>();
  constructor(private readonly max: number) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
  }
}
