// The backend contract on the embedded store: a fresh data directory per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../store.contract.js';
import { openEmbedded } from './embedded-backend.js';

storeContract('embedded', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outgate-contract-'));
  return {
    open: (role) => openEmbedded({ dataDir, synchronous: 'normal', busyTimeoutMs: 5_000, role }),
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
