// The store factory refuses a backend this version does not have, naming the setting, before touching any file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../config/load.js';
import { openStore } from './open-store.js';

const configWith = (env: Record<string, string>) => loadConfig({ env: { OUTGATE_DATA_DIR: '/nonexistent/outgate-never-created', ...env } });

test('an unknown store backend, or a database or Redis URL for the embedded store, is OG_ERR_CONFIG_INVALID', () => {
  for (const [env, says] of [
    [{ OUTGATE_STORE_BACKEND: 'postgres' }, /store\.backend: 'postgres' is not a store this version of Outgate has \(it has: embedded\)/],
    [{ OUTGATE_DATABASE_URL: 'postgres://127.0.0.1/outgate' }, /store\.databaseUrl \(OUTGATE_DATABASE_URL\) is set/],
    [{ OUTGATE_REDIS_URL: 'redis://127.0.0.1:6379' }, /store\.redisUrl \(OUTGATE_REDIS_URL\) is set/],
  ] as const) {
    assert.throws(() => openStore(configWith(env), 'cli'), (err: { code?: string; message?: string }) => err.code === 'OG_ERR_CONFIG_INVALID' && says.test(err.message ?? ''));
  }
});
