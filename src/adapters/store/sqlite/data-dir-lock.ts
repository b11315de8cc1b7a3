// One server per data directory: the embedded store keeps counters in this process's memory, so a
// second server on the same files would count beside it and let senders through twice.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Errors, fail } from '../../../errors.js';

export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'outgate.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        fail(Errors.STORE_LOCKED, `Another Outgate server (pid ${pid}) is running on ${dataDir}.`);
      }
      rmSync(file, { force: true }); // stale: left by a server that was killed
    }
  }
  fail(Errors.STORE_LOCKED, `Could not lock ${dataDir}.`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
