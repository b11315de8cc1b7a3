// Group commit for writes each caller must see durable before it answers (a message's sends at its end):
// while one transaction is in flight, the writes that arrive gather and go together in the next one. One
// commit, one WAL flush, for as many messages as came in meanwhile, with no timer and no added wait when
// the writes come one at a time. A shared node wrote one transaction per message before this.

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit<T> {
  private pending: { items: T[]; waiters: Waiter[] } | null = null;
  private writing = false;

  /** `write` makes all of its items durable in one transaction, or none of them. */
  constructor(private readonly write: (items: readonly T[]) => Promise<void>) {}

  /** Resolves once `item` is durable; rejects with the store's failure if it could not be written. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      const batch = (this.pending ??= { items: [], waiters: [] });
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
      if (!this.writing) this.next();
    });
  }

  private next(): void {
    const batch = this.pending;
    if (batch === null) return;
    this.pending = null;
    this.writing = true;
    void this.flush(batch).finally(() => {
      this.writing = false;
      this.next();
    });
  }

  private async flush({ items, waiters }: { items: T[]; waiters: Waiter[] }): Promise<void> {
    try {
      await this.write(items);
      for (const w of waiters) w.resolve();
      return;
    } catch (err) {
      if (items.length === 1) return waiters[0]!.reject(err);
    }
    // A batch that failed is written again one by one: one write the store refuses must not fail the
    // others with it (when the store itself is down, each fails on its own, as it would have alone).
    for (let i = 0; i < items.length; i++) {
      try {
        await this.write([items[i]!]);
        waiters[i]!.resolve();
      } catch (err) {
        waiters[i]!.reject(err);
      }
    }
  }
}
