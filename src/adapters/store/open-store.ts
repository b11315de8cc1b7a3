// The store factory: the backend named by the configuration, opened for the server or for a cmdlet.
// store.databaseUrl (OUTGATE_DATABASE_URL) set: PostgreSQL, shared by every node and cmdlet; else the
// embedded SQLite store in the data directory. Redis counters (OUTGATE_REDIS_URL) plug in here next.
import type { StoreBackend } from '../../app/ports.js';
import type { Config } from '../../config/schema.js';
import { Errors, fail } from '../../errors.js';
import { openPostgres } from './postgres/postgres-backend.js';
import { openEmbedded } from './sqlite/embedded-backend.js';

export const BACKENDS = ['embedded', 'postgres'] as const;

/** Where a backend reports what it repaired on opening (a damaged journal): the server's log. */
export type OpenWarn = (fields: Record<string, unknown>, message: string) => void;

export async function openStore(config: Readonly<Pick<Config, 'dataDir' | 'store'>>, role: 'server' | 'cli', warn?: OpenWarn): Promise<StoreBackend> {
  const s = config.store;
  if (!(BACKENDS as readonly string[]).includes(s.backend)) {
    fail(
      Errors.CONFIG_INVALID,
      `Configuration store.backend: '${s.backend}' is not a store this version of Outgate has (it has: ${BACKENDS.join(', ')}).`,
    );
  }
  if (s.redisUrl !== '') fail(Errors.CONFIG_INVALID, 'Configuration store.redisUrl (OUTGATE_REDIS_URL) is set, but this version of Outgate has no Redis counters yet; unset it.');
  if (s.databaseUrl !== '') {
    if (!/^postgres(ql)?:\/\//.test(s.databaseUrl)) fail(Errors.CONFIG_INVALID, "Configuration store.databaseUrl (OUTGATE_DATABASE_URL) must be a postgres:// URL.");
    return openPostgres({ url: s.databaseUrl, role });
  }
  if (s.backend === 'postgres') fail(Errors.CONFIG_INVALID, "Configuration store.backend is 'postgres' but store.databaseUrl (OUTGATE_DATABASE_URL) is empty; set it to the database's postgres:// URL.");
  return openEmbedded({ dataDir: config.dataDir, synchronous: s.synchronous, busyTimeoutMs: s.busyTimeoutMs, role, ...(warn ? { warn } : {}) });
}
