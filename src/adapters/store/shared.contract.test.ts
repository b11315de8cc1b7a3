// The backend contract on PostgreSQL + Redis as many nodes share them: one throwaway server of each for
// the file, a fresh database and Redis key prefix per test, each backend opened with its own connections.
import { after, before } from 'node:test';
import { startPostgres, type ThrowawayPostgres } from '../../../test/support/postgres.js';
import { startRedis, type ThrowawayRedis } from '../../../test/support/redis.js';
import { storeContract } from './store.contract.js';
import { openPostgres } from './postgres/postgres-backend.js';
import { SharedRedisCounters } from './redis/shared-counters.js';

let pg: ThrowawayPostgres;
let redis: ThrowawayRedis;
before(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
});
after(async () => {
  await Promise.all([pg?.stop(), redis?.stop()]);
});

let stores = 0;
storeContract(
  'postgres+redis',
  () => {
    let url: Promise<string> | undefined;
    const prefix = `contract${++stores}:`;
    return {
      open: async (role) => openPostgres({ url: await (url ??= pg.createDatabase()), role, shared: new SharedRedisCounters({ url: redis.url }, { prefix }) }),
    };
  },
  { sharedCounters: true },
);
