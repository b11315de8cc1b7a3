// Opens the PostgreSQL store: a pg pool behind Kysely's core PostgresDialect, numbers read back as
// numbers, schema migrations under an advisory lock, and transactions whose failures become the
// catalogue's store errors.
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { Errors, OutgateError } from '../../../errors.js';
import type { DB } from '../sql/schema.js';
import { PG_MIGRATIONS } from './migrations.js';

export type Tx = Transaction<DB>;

/** Advisory lock keys (one namespace for Outgate; the second number names the lock). */
export const LOCK_NS = 0x4f677465; // 'Ogte'
export const LOCKS = { migrate: 1, feed: 2, prune: 3, localCounters: 4 } as const;
/** Per-sender transaction locks live in their own namespace (the key is a hash of the sender). */
export const SENDER_LOCK_NS = LOCK_NS + 1;
/** Sign-in throttle keys (account, address): one attempt decided at a time per key, across nodes. */
export const SIGN_IN_LOCK_NS = LOCK_NS + 2;

// BIGINT (ms times, counts) and NUMERIC (SUM of BIGINT) as JS numbers: every value Outgate stores is
// far below 2^53, and the row types shared with SQLite say number.
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PgOptions {
  readonly url: string;
  readonly poolSize?: number;
}

export class PgDb {
  readonly pool: pg.Pool;
  readonly q: Kysely<DB>;

  constructor(readonly o: PgOptions) {
    this.pool = new pg.Pool({ connectionString: o.url, max: o.poolSize ?? 10, types });
    // An idle client losing its connection must not crash the process: the next query reconnects.
    this.pool.on('error', () => undefined);
    this.q = new Kysely<DB>({ dialect: new PostgresDialect({ pool: this.pool }) });
  }

  /** A client outside the pool (LISTEN, session-level locks), with the same number parsing. */
  client(): pg.Client {
    return new pg.Client({ connectionString: this.o.url, types });
  }

  /** Runs `fn` in one READ COMMITTED transaction; PostgreSQL's failures become the catalogue's errors. */
  async tx<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.q.transaction().execute(fn);
    } catch (err) {
      throw storeError(err);
    }
  }

  /** A read outside any transaction, with the same error mapping. */
  async read<T>(fn: (q: Kysely<DB>) => Promise<T>): Promise<T> {
    try {
      return await fn(this.q);
    } catch (err) {
      throw storeError(err);
    }
  }

  close(): Promise<void> {
    return this.q.destroy();
  }
}

/**
 * Applies what is missing of PG_MIGRATIONS, each in its own transaction, holding a session advisory
 * lock so that nodes starting together take turns (the later ones find the schema current).
 */
export async function migrate(db: PgDb): Promise<void> {
  const c = db.client();
  try {
    await c.connect();
    await c.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NS, LOCKS.migrate]);
    await c.query('CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    await c.query('INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING');
    const current = (await c.query<{ version: number }>('SELECT version FROM schema_version WHERE id = 1')).rows[0]!.version;
    if (current > PG_MIGRATIONS.length) {
      throw new OutgateError(Errors.STORE_TOO_NEW, `The PostgreSQL store's schema version ${current} is newer than this Outgate (${PG_MIGRATIONS.length}); upgrade Outgate.`);
    }
    for (let v = current; v < PG_MIGRATIONS.length; v++) {
      await c.query('BEGIN');
      try {
        await c.query(PG_MIGRATIONS[v]!);
        await c.query('UPDATE schema_version SET version = $1 WHERE id = 1', [v + 1]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      }
    }
  } catch (err) {
    throw storeError(err);
  } finally {
    // Ending the session releases the advisory lock too.
    await c.end().catch(() => undefined);
  }
}

export function storeError(err: unknown): unknown {
  if (err instanceof OutgateError) return err;
  const code = (err as { code?: string }).code ?? '';
  // Any constraint (unique, foreign key), as the embedded store reports SQLITE_CONSTRAINT.
  if (code.startsWith('23')) return new OutgateError(Errors.ALREADY_EXISTS, 'An object with that name or address already exists.');
  if (code === '40001' || code === '40P01' || code === '55P03') return new OutgateError(Errors.STORE_LOCKED, 'The store is busy; try again.');
  if (/^(08|57P|53)/.test(code) || /^E(CONNREFUSED|CONNRESET|HOSTUNREACH|TIMEDOUT|PIPE)$/.test(code) || /Connection terminated/i.test((err as Error)?.message ?? '')) {
    return new OutgateError(Errors.STORE_UNAVAILABLE, `The PostgreSQL store is unavailable: ${(err as Error).message}.`);
  }
  if (/^[0-9A-Z]{5}$/.test(code)) return new OutgateError(Errors.STORE_UNAVAILABLE, `The store failed: ${(err as Error).message}.`);
  return err;
}
