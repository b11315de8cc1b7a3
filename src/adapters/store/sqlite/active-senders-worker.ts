// The worker thread behind active-senders.ts: its own connection sums every sender's windows in the
// store (or the busy ones) for each request it is sent, one at a time, until told to stop.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDb, type SqliteOptions } from './database.js';
import { activeSenders } from './enforcement-repo.js';

export interface ActiveSendersWorkerData {
  readonly dataDir: string;
  readonly opts: SqliteOptions;
}
export type ActiveSendersRequest = { readonly now: number; readonly minLastHour: number } | 'stop';
export type ActiveSendersReply = { readonly ok: true; readonly rows: ReturnType<typeof activeSenders> } | { readonly ok: false; readonly error: string };

const port = parentPort!;
const { dataDir, opts } = workerData as ActiveSendersWorkerData;
const db = new SqliteDb(dataDir, opts);

port.on('message', (m: ActiveSendersRequest) => {
  if (m === 'stop') {
    db.close();
    port.close();
    return;
  }
  let reply: ActiveSendersReply;
  try {
    reply = { ok: true, rows: activeSenders(db, m.now, m.minLastHour) };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
