// Moves the bulk apply of journaled sends off the event loop: a worker thread with its own connection
// upserts the minute buckets and records the journal position in one transaction, so the thread that
// answers Postfix never spends its time in SQLite for counting. The journal stays the source of truth:
// a batch the worker did not commit is applied again, by it or by the main thread.
import type { Worker } from 'node:worker_threads';
import type { SqliteOptions } from './database.js';
import type { ApplierReply, ApplierRequest, ApplierWorkerData } from './journal-applier-worker.js';
import type { PendingBatch } from './send-journal.js';
import { startWorker } from './worker-thread.js';

export class JournalApplier {
  private readonly worker: Worker;
  private waiting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;

  /** Opens its own connection to the store in `dataDir`, with the main connection's options. */
  constructor(dataDir: string, opts: SqliteOptions) {
    this.worker = startWorker('journal-applier-worker', { dataDir, opts } satisfies ApplierWorkerData);
    this.worker.on('message', (m: ApplierReply) => {
      const w = this.waiting;
      this.waiting = null;
      this.worker.unref();
      if (m.ok) w?.resolve();
      else w?.reject(new Error(m.error));
    });
    const die = (err: Error): void => {
      this.dead ??= err;
      this.waiting?.reject(err);
      this.waiting = null;
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`the journal applier exited (code ${code})`)));
    this.worker.unref();
  }

  /** False once the worker is gone: the store then applies on its own thread. */
  get alive(): boolean {
    return this.dead === null;
  }

  /** Applies one batch; one at a time (the store never posts a second before the first settles). */
  apply(batch: PendingBatch): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.waiting) return Promise.reject(new Error('a journal batch is already being applied'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      // Held open while a batch is out, so its answer arrives even if nothing else is pending.
      this.worker.ref();
      this.worker.postMessage(batch satisfies ApplierRequest);
    });
  }

  /** Closes the worker's connection; the caller has waited for the batch in flight. */
  async stop(): Promise<void> {
    if (this.dead) return;
    this.worker.ref();
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    this.worker.postMessage('stop' satisfies ApplierRequest);
    await exited;
    clearTimeout(timer);
  }
}
