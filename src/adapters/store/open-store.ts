// The store factory: the backend named by the configuration, opened for the server or for a cmdlet.
// Today only the embedded store exists; PostgreSQL + Redis (OUTGATE_DATABASE_URL, OUTGATE_REDIS_URL)
// come next and plug in here, behind the same ports and the same contract tests.
import type { StoreBackend } from '../../app/ports.js';
import type { Config } from '../../config/schema.js';
import { Errors, fail } from '../../errors.js';
import { openEmbedded } from './sqlite/embedded-backend.js';

export const BACKENDS = ['embedded'] as const;

/** Where a backend reports what it repaired on opening (a damaged journal): the server's log. */
export type OpenWarn = (fields: Record<string, unknown>, message: string) => void;

export function openStore(config: Readonly<Pick<Config, 'dataDir' | 'store'>>, role: 'server' | 'cli', warn?: OpenWarn): StoreBackend {
  const s = config.store;
  if (!(BACKENDS as readonly string[]).includes(s.backend)) {
    fail(
      Errors.CONFIG_INVALID,
      `Configuration store.backend: '${s.backend}' is not a store this version of Outgate has (it has: ${BACKENDS.join(', ')}).`,
    );
  }
  // A URL given to the embedded store would be ignored silently: the operator meant another backend.
  if (s.databaseUrl !== '')
    fail(
      Errors.CONFIG_INVALID,
      'Configuration store.databaseUrl (OUTGATE_DATABASE_URL) is set, but this version of Outgate has only the embedded store; unset it.',
    );
  if (s.redisUrl !== '')
    fail(
      Errors.CONFIG_INVALID,
      'Configuration store.redisUrl (OUTGATE_REDIS_URL) is set, but this version of Outgate has only the embedded store; unset it.',
    );
  return openEmbedded({
    dataDir: config.dataDir,
    synchronous: s.synchronous,
    busyTimeoutMs: s.busyTimeoutMs,
    role,
    ...(warn ? { warn } : {}),
  });
}
