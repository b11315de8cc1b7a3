// A one-shot worker thread (see active-senders.ts): its own connection sums every sender's windows in
// the store, answers once and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDb, type SqliteOptions } from './database.js';
import { activeSenders } from './enforcement-repo.js';

export interface ActiveSendersWorkerData {
  readonly dataDir: string;
  readonly opts: SqliteOptions;
  readonly now: number;
}
export type ActiveSendersReply = { readonly ok: true; readonly rows: ReturnType<typeof activeSenders> } | { readonly ok: false; readonly error: string };

const port = parentPort!;
const { dataDir, opts, now } = workerData as ActiveSendersWorkerData;
let reply: ActiveSendersReply;
try {
  const db = new SqliteDb(dataDir, opts);
  try {
    reply = { ok: true, rows: activeSenders(db, now) };
  } finally {
    db.close();
  }
} catch (err) {
  reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
}
port.postMessage(reply);
port.close();
