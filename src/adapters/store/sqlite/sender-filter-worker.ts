// The worker thread behind stored-senders.ts: reads every sender with windows in the store (the
// sender index alone, no table rows) into a filter sized for them and what comes after, hands its
// bits back and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { senderKey, type EntityType } from '../../../domain/sender.js';
import { SqliteDb, type SqliteOptions } from './database.js';
import { SenderFilter } from './sender-filter.js';

export interface SenderFilterWorkerData {
  readonly dataDir: string;
  readonly opts: SqliteOptions;
  /** Room for this many keys beyond those in the store (the senders still to come). */
  readonly extra: number;
}
export type SenderFilterReply = { readonly ok: true; readonly words: Uint32Array } | { readonly ok: false; readonly error: string };

const SENDERS = 'SELECT DISTINCT tenant_id, entity_type, identity FROM sending_minutes';
const COUNT = `SELECT COUNT(*) FROM (${SENDERS})`;

const port = parentPort!;
const { dataDir, opts, extra } = workerData as SenderFilterWorkerData;
let reply: SenderFilterReply;
let db: SqliteDb | null = null;
try {
  db = new SqliteDb(dataDir, opts);
  // Counted, then streamed: holding a million rows at once cost the process ~400 MB of resident
  // memory for half a minute after a start (bench/embedded/scale.ts); two index scans cost less.
  const stored = db.raw.prepare(COUNT).pluck().get() as number;
  const filter = SenderFilter.forKeys(Math.max(stored * 2, stored + extra));
  for (const [tenantId, type, identity] of db.raw.prepare(SENDERS).raw(true).iterate() as IterableIterator<[string, EntityType, string]>) {
    filter.add(senderKey({ tenantId, type, identity }));
  }
  reply = { ok: true, words: filter.words };
} catch (err) {
  reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
} finally {
  db?.close();
}
port.postMessage(reply, reply.ok ? [reply.words.buffer as ArrayBuffer] : []);
