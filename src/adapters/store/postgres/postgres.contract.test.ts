// The backend contract on PostgreSQL: one throwaway server for the file, a fresh database per test.
import { after, before } from 'node:test';
import { startPostgres, type ThrowawayPostgres } from '../../../../test/support/postgres.js';
import { storeContract } from '../store.contract.js';
import { openPostgres } from './postgres-backend.js';

let pg: ThrowawayPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

storeContract('postgres', () => {
  let url: Promise<string> | undefined;
  return {
    open: async (role) => openPostgres({ url: await (url ??= pg.createDatabase()), role }),
  };
});
