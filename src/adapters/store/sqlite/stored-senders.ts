// Which senders may have windows in the store, so the counters skip the point query for a sender the
// store has never seen (sender-filter.ts says why). Built on a worker thread from the store at start
// (nothing is read on the thread that answers Postfix) and grown by the counters as they drop a
// sender from memory: a sender's sends reach the store only while it is in memory, and it leaves
// only once they are there, so every sender with rows is in memory or in the filter. Until the first
// build arrives every sender may be stored. Rebuilt, sized afresh, once its adds outgrow it (the
// store's pruning then drops senders idle for days).
import type { SqliteOptions } from './database.js';
import { SenderFilter } from './sender-filter.js';
import type { SenderFilterReply, SenderFilterWorkerData } from './sender-filter-worker.js';
import { startWorker } from './worker-thread.js';

export class StoredSenders {
  private filter: SenderFilter | null = null;
  /** Keys added while a build runs, added to its result when it arrives. */
  private pending: string[] | null = null;
  private added = 0;
  private stopped = false;
  private built!: () => void;
  /** Settles when the first build arrived or failed (tests and start-up checks wait on it). */
  readonly firstBuild = new Promise<void>((resolve) => (this.built = resolve));

  constructor(
    private readonly dataDir: string,
    private readonly opts: SqliteOptions,
    private readonly onError: (err: Error) => void,
  ) {
    this.rebuild();
  }

  /** False only when the store certainly holds no windows for the sender. */
  mightHave(key: string): boolean {
    return this.filter === null || this.filter.mightHave(key);
  }

  /** The counters dropped this sender from memory: its windows are read back from the store from now on. */
  add(key: string): void {
    this.pending?.push(key);
    const filter = this.filter;
    if (filter === null) return;
    filter.add(key);
    if (++this.added > filter.capacity && this.pending === null) this.rebuild();
  }

  /** A build under way finishes on its thread; its result is dropped. */
  stop(): void {
    this.stopped = true;
  }

  private rebuild(): void {
    this.pending = [];
    const worker = startWorker('sender-filter-worker', { dataDir: this.dataDir, opts: this.opts, extra: (this.filter?.capacity ?? 0) / 2 } satisfies SenderFilterWorkerData);
    worker.unref();
    let answered = false;
    const settle = (err: Error | null, words?: Uint32Array): void => {
      if (answered) return;
      answered = true;
      const pending = this.pending ?? [];
      this.pending = null;
      if (!this.stopped && err) this.onError(err);
      else if (!this.stopped) {
        const filter = SenderFilter.fromWords(words!);
        for (const key of pending) filter.add(key);
        this.filter = filter;
        this.added = pending.length;
      }
      this.built();
    };
    worker.once('message', (m: SenderFilterReply) => settle(m.ok ? null : new Error(m.error), m.ok ? m.words : undefined));
    worker.once('error', (err) => settle(err));
    worker.once('exit', (code) => settle(new Error(`the worker listing stored senders exited (code ${code}) without an answer`)));
  }
}
