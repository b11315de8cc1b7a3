// The store factory: the backend named by the configuration, opened for the server or for a cmdlet.
// store.databaseUrl (OUTGATE_DATABASE_URL) set: PostgreSQL, shared by every node and cmdlet, with the
// sending counters on Redis when store.redisUrl (OUTGATE_REDIS_URL) is set too (many nodes); else the
// embedded SQLite store in the data directory.
import type { StoreBackend } from '../../app/ports.js';
import type { Config } from '../../config/schema.js';
import { Errors, fail } from '../../errors.js';
import { redisTarget } from './redis/target.js';
import { openEmbedded } from './sqlite/embedded-backend.js';
import { backupBeforeMigration } from './sqlite/upgrade-backup.js';

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
  if (s.redisUrl !== '') {
    // Redis holds only counters: restrictions, history and audit need the durable store beside it.
    if (s.databaseUrl === '')
      fail(Errors.CONFIG_INVALID, 'Configuration store.redisUrl (OUTGATE_REDIS_URL) is set without store.databaseUrl (OUTGATE_DATABASE_URL): Redis holds only the counters of a shared PostgreSQL store; set both, or neither for the embedded store.');
  }
  // Checked before anything opens: a mistyped URL is a configuration error, not a store outage.
  const redis = s.redisUrl !== '' ? redisTarget(s.redisUrl) : undefined;
  if (s.databaseUrl !== '') {
    if (!/^postgres(ql)?:\/\//.test(s.databaseUrl)) fail(Errors.CONFIG_INVALID, "Configuration store.databaseUrl (OUTGATE_DATABASE_URL) must be a postgres:// URL.");
    // Changes reach the other nodes on PostgreSQL's LISTEN/NOTIFY feed, not a Redis Stream: NOTIFY is
    // delivered at the commit of the change's own transaction, so no node hears of a change it cannot
    // read yet, and none misses one because its writer died between the commit and a second write to
    // Redis; the feed already reads again on every reconnect and every 5 s.
    // Loaded only here: pg and redis cost a node on the embedded store ~1 s of start-up, before it answers.
    const [{ openPostgres }, shared] = await Promise.all([import('./postgres/postgres-backend.js'), redis ? import('./redis/shared-counters.js') : undefined]);
    return openPostgres({ url: s.databaseUrl, role, ...(redis && shared ? { shared: new shared.SharedRedisCounters(redis) } : {}) });
  }
  if (s.backend === 'postgres') fail(Errors.CONFIG_INVALID, "Configuration store.backend is 'postgres' but store.databaseUrl (OUTGATE_DATABASE_URL) is empty; set it to the database's postgres:// URL.");
  const backup = await backupBeforeMigration(config.dataDir);
  if (backup !== null) {
    const fields = { backup, dataDir: config.dataDir };
    const message = 'the store is from an older Outgate: backed it up before migrating its schema (outgate restore it to go back to that version)';
    if (warn) warn(fields, message);
    else process.stderr.write(`${message}: ${backup}\n`);
  }
  return openEmbedded({ dataDir: config.dataDir, synchronous: s.synchronous, busyTimeoutMs: s.busyTimeoutMs, role, ...(warn ? { warn } : {}) });
}
