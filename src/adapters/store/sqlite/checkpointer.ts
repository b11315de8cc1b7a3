// Moves WAL checkpoints off the event loop: a worker thread with its own connection copies the WAL
// back into the database every `intervalMs` (PASSIVE: never blocks the writer), so a commit on the hot
// path is only an append to the WAL and never pays for a checkpoint.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = (mode) => { try { db.pragma('wal_checkpoint(' + mode + ')'); } catch (err) { parentPort.postMessage(String(err)); } };
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); checkpoint('PASSIVE'); db.close(); parentPort.close(); });
`;

export class Checkpointer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs: number, onError: (message: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, intervalMs, driver } });
    this.worker.on('message', (m: string) => onError(m));
    this.worker.on('error', (err) => onError(String(err)));
    this.worker.unref();
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      // Keep the process alive until the last checkpoint is done.
      this.worker.ref();
      const timer = setTimeout(() => void this.worker.terminate(), 2000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.postMessage('stop');
    });
  }
}
