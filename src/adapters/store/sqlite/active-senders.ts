// Every sender's totals from the store, summed on a worker thread: at a million senders the sum takes
// seconds, which the thread that answers Postfix must not spend (it runs every minute for the
// unusual-volume sweep and on each activity report). The thread starts on first use and stays: a new
// thread per report cost more than the sum itself at small sizes (module loading, a new connection).
import type { Worker } from 'node:worker_threads';
import type { WindowTotals } from '../../../domain/rolling-window.js';
import type { SenderRef } from '../../../domain/sender.js';
import type { ActiveSendersReply, ActiveSendersRequest, ActiveSendersWorkerData } from './active-senders-worker.js';
import type { SqliteOptions } from './database.js';
import { startWorker } from './worker-thread.js';

type Rows = Array<{ sender: SenderRef; totals: WindowTotals }>;

export class ActiveSendersThread {
  private worker: Worker | null = null;
  /** The sums asked for and not answered yet, by minLastHour: a caller asking the same meanwhile shares it. */
  private readonly pending = new Map<number, Promise<Rows>>();
  /** The last sum asked for: the worker answers in order, so each waits for the one before. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly opts: SqliteOptions,
  ) {}

  /** Every sender's totals at `now`; with `minLastHour` above 0, only the senders that sent that many in the last hour. */
  sum(now: number, minLastHour = 0): Promise<Rows> {
    const shared = this.pending.get(minLastHour);
    if (shared) return shared;
    const rows = this.last.catch(() => undefined).then(() => this.ask(now, minLastHour));
    this.pending.set(minLastHour, rows);
    this.last = rows;
    void rows.finally(() => this.pending.delete(minLastHour)).catch(() => undefined);
    return rows;
  }

  private ask(now: number, minLastHour: number): Promise<Rows> {
    const worker = (this.worker ??= this.start());
    return new Promise<Rows>((resolve, reject) => {
      const settle = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (m: ActiveSendersReply): void => {
        settle();
        if (m.ok) resolve(m.rows);
        else reject(new Error(`summing the senders' windows failed: ${m.error}`));
      };
      const onError = (err: Error): void => {
        settle();
        reject(err);
      };
      const onExit = (code: number): void => {
        settle();
        reject(new Error(`the worker summing the senders' windows exited (code ${code}) without an answer`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ now, minLastHour } satisfies ActiveSendersRequest);
    });
  }

  /** Ends the thread (at shutdown); a sum under way then rejects. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = startWorker('active-senders-worker', { dataDir: this.dataDir, opts: this.opts } satisfies ActiveSendersWorkerData);
    // A thread that died is started afresh by the next sum.
    worker.once('exit', () => {
      if (this.worker === worker) this.worker = null;
    });
    worker.unref();
    return worker;
  }
}
