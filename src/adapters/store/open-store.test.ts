// The store factory refuses a backend this version does not have, or settings that cannot open one,
// naming the setting, before touching any file or connecting anywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../config/load.js';
import { openStore } from './open-store.js';
import { redisTarget } from './redis/target.js';

const configWith = (env: Record<string, string>) => loadConfig({ env: { OUTGATE_DATA_DIR: '/nonexistent/outgate-never-created', ...env } });

test('an unknown store backend, a Redis URL without a database URL, a non-PostgreSQL database URL, a bad Redis URL or postgres without a URL is OG_ERR_CONFIG_INVALID', async () => {
  for (const [env, says] of [
    [{ OUTGATE_STORE_BACKEND: 'mysql' }, /store\.backend: 'mysql' is not a store this version of Outgate has \(it has: embedded, postgres\)/],
    [{ OUTGATE_STORE_BACKEND: 'postgres' }, /store\.backend is 'postgres' but store\.databaseUrl \(OUTGATE_DATABASE_URL\) is empty/],
    [{ OUTGATE_DATABASE_URL: 'mysql://127.0.0.1/outgate' }, /store\.databaseUrl \(OUTGATE_DATABASE_URL\) must be a postgres:\/\/ URL/],
    [{ OUTGATE_REDIS_URL: 'redis://127.0.0.1:6379' }, /store\.redisUrl \(OUTGATE_REDIS_URL\) is set without store\.databaseUrl \(OUTGATE_DATABASE_URL\)/],
    [{ OUTGATE_DATABASE_URL: 'postgres://127.0.0.1/outgate', OUTGATE_REDIS_URL: 'http://127.0.0.1:6379' }, /store\.redisUrl \(OUTGATE_REDIS_URL\) must be a redis:\/\/, rediss:\/\/ or redis\+cluster:\/\/host:port,host:port URL/],
    [{ OUTGATE_DATABASE_URL: 'postgres://127.0.0.1/outgate', OUTGATE_REDIS_URL: 'redis+cluster://127.0.0.1:7000,127.0.0.1' }, /'127\.0\.0\.1:7000,127\.0\.0\.1' must list the cluster's nodes as host:port,host:port/],
  ] as const) {
    await assert.rejects(openStore(configWith(env), 'cli'), (err: { code?: string; message?: string }) => err.code === 'OG_ERR_CONFIG_INVALID' && says.test(err.message ?? ''));
  }
});

test('store.redisUrl names one Redis server, or a Redis Cluster by some of its nodes (redis+cluster://)', () => {
  assert.deepEqual(redisTarget('redis://127.0.0.1:6379/0'), { url: 'redis://127.0.0.1:6379/0' });
  assert.deepEqual(redisTarget('rediss+cluster://og:s3cret@10.0.0.1:7000,10.0.0.2:7001'), {
    cluster: [{ url: 'rediss://og:s3cret@10.0.0.1:7000' }, { url: 'rediss://og:s3cret@10.0.0.2:7001' }],
  });
  assert.deepEqual(redisTarget('redis+cluster://[::1]:7000'), { cluster: [{ url: 'redis://[::1]:7000' }] });
});
