// The checkpointer's worker thread (see checkpointer.ts): its own connection copies the WAL back into
// the database every `intervalMs` (PASSIVE: never blocks the writer) and once more when told to stop.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointWorkerData {
  readonly file: string;
  readonly intervalMs: number;
}

const port = parentPort!;
const { file, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(file);
db.pragma('busy_timeout = 1000');

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    port.postMessage(String(err));
  }
}

const timer = setInterval(checkpoint, intervalMs);
port.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  port.close();
});
