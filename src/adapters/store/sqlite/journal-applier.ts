// Moves the bulk apply of journaled sends off the event loop: a worker thread with its own connection
// upserts the minute buckets and records the journal position in one transaction, so the thread that
// answers Postfix never spends its time in SQLite for counting. The journal stays the source of truth:
// a batch the worker did not commit is applied again, by it or by the main thread.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The statements the worker runs; the main thread's synchronous path runs the same SQL. */
export interface ApplierSql {
  readonly upsert: string;
  readonly resets: string;
  readonly setMeta: string;
}

// Plain CommonJS evaluated in the worker, as the checkpointer's: no build step, no loader for .ts.
// A line is [at, tenantId, type, identity, external, internal, messages] (send-journal.ts); sends from
// before a sender's window reset are left out, read inside the same transaction as the upserts.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('synchronous = ' + workerData.synchronous);
const upsert = db.prepare(workerData.sql.upsert);
const resets = db.prepare(workerData.sql.resets);
const setMeta = db.prepare(workerData.sql.setMeta);
const apply = db.transaction((chunks, next) => {
  const since = new Map();
  for (const r of resets.all()) since.set(r.tenant_id + '\\u0000' + r.entity_type + '\\u0000' + r.identity, r.at);
  for (const chunk of chunks) {
    for (const line of chunk.split('\\n')) {
      if (line === '') continue;
      const [at, tenantId, type, identity, external, internal, messages] = JSON.parse(line);
      const reset = since.get(tenantId + '\\u0000' + type + '\\u0000' + identity);
      if (reset !== undefined && reset > at) continue;
      upsert.run(Math.floor(at / 60000), tenantId, type, identity, external, internal, messages);
    }
  }
  setMeta.run('journal_generation', next.generation);
  setMeta.run('journal_offset', next.offset);
});
parentPort.on('message', (m) => {
  if (m === 'stop') { db.close(); parentPort.close(); return; }
  try { apply.immediate(m.chunks, m.next); parentPort.postMessage({ ok: true }); }
  catch (err) { parentPort.postMessage({ ok: false, error: String((err && err.message) || err) }); }
});
`;

export interface ApplierOptions {
  readonly synchronous: 'NORMAL' | 'FULL';
  readonly busyTimeoutMs: number;
}

export class JournalApplier {
  private readonly worker: Worker;
  private waiting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;

  constructor(file: string, sql: ApplierSql, opts: ApplierOptions) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, sql, driver, ...opts } });
    this.worker.on('message', (m: { ok: boolean; error?: string }) => {
      const w = this.waiting;
      this.waiting = null;
      this.worker.unref();
      if (m.ok) w?.resolve();
      else w?.reject(new Error(m.error ?? 'the journal applier failed'));
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
  apply(chunks: readonly string[], next: { generation: number; offset: number }): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.waiting) return Promise.reject(new Error('a journal batch is already being applied'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      // Held open while a batch is out, so its answer arrives even if nothing else is pending.
      this.worker.ref();
      this.worker.postMessage({ chunks, next });
    });
  }

  /** Closes the worker's connection; the caller has waited for the batch in flight. */
  async stop(): Promise<void> {
    if (this.dead) return;
    this.worker.ref();
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    this.worker.postMessage('stop');
    await exited;
    clearTimeout(timer);
  }
}
