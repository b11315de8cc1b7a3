// Moves WAL checkpoints off the event loop: a worker thread (checkpoint-worker.ts) with its own
// connection checkpoints every `intervalMs`, so a commit on the hot path is only an append to the WAL
// and never pays for a checkpoint.
import type { Worker } from 'node:worker_threads';
import type { CheckpointWorkerData } from './checkpoint-worker.js';
import { startWorker } from './worker-thread.js';

export class Checkpointer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs: number, onError: (message: string) => void) {
    this.worker = startWorker('checkpoint-worker', { file, intervalMs } satisfies CheckpointWorkerData);
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
