// Every sender's totals from the store, summed on a worker thread: at a million senders the sum takes
// seconds, which the thread that answers Postfix must not spend (it runs every minute for the
// unusual-volume sweep and on each activity report).
import type { WindowTotals } from '../../../domain/rolling-window.js';
import type { SenderRef } from '../../../domain/sender.js';
import type { ActiveSendersReply, ActiveSendersWorkerData } from './active-senders-worker.js';
import type { SqliteOptions } from './database.js';
import { startWorker } from './worker-thread.js';

/** The sum under way; `stop()` ends it (at shutdown), and `rows` then rejects. */
export interface Summing {
  readonly rows: Promise<Array<{ sender: SenderRef; totals: WindowTotals }>>;
  stop(): Promise<void>;
}

export function activeSendersOffThread(dataDir: string, opts: SqliteOptions, now: number): Summing {
  const worker = startWorker('active-senders-worker', { dataDir, opts, now } satisfies ActiveSendersWorkerData);
  const rows = new Promise<Array<{ sender: SenderRef; totals: WindowTotals }>>((resolve, reject) => {
    worker.once('message', (m: ActiveSendersReply) => (m.ok ? resolve(m.rows) : reject(new Error(`summing the senders' windows failed: ${m.error}`))));
    worker.once('error', reject);
    // After an answer this settles nothing; without one it is the failure.
    worker.once('exit', (code) => reject(new Error(`the worker summing the senders' windows exited (code ${code}) without an answer`)));
  });
  return { rows, stop: async () => void (await worker.terminate()) };
}
