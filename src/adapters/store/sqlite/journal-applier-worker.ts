// The journal applier's worker thread (see journal-applier.ts): its own connection applies each batch
// with the same applyBatch() the main thread runs, in one IMMEDIATE transaction, and answers.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDb, type SqliteOptions } from './database.js';
import { applyBatch, type PendingBatch } from './send-journal.js';

export interface ApplierWorkerData {
  readonly dataDir: string;
  readonly opts: SqliteOptions;
}
export type ApplierRequest = PendingBatch | 'stop';
export type ApplierReply = { readonly ok: true } | { readonly ok: false; readonly error: string };

const port = parentPort!;
const { dataDir, opts } = workerData as ApplierWorkerData;
const db = new SqliteDb(dataDir, opts);

port.on('message', (m: ApplierRequest) => {
  if (m === 'stop') {
    db.close();
    port.close();
    return;
  }
  let reply: ApplierReply;
  try {
    db.tx(() => applyBatch(db, m));
    reply = { ok: true };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
