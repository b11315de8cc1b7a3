// Opens the embedded store: WAL, chosen durability, versioned migrations, and a Kysely builder whose
// queries run synchronously on better-sqlite3, so a transaction never spans an await and two writers in
// one process can never interleave.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
} from 'kysely';
import { Errors, OutgateError } from '../../../errors.js';
import { VERSION } from '../../../version.js';
import { MIGRATIONS } from './migrations.js';
import type { DB } from '../sql/schema.js';

export interface SqliteOptions {
  synchronous?: 'normal' | 'full';
  busyTimeoutMs?: number;
}

export const DB_FILE = 'outgate.db';

export class SqliteDb {
  readonly raw: Database.Database;
  /** Builds typed SQL only; run it with all/get/run below. */
  readonly q = new Kysely<DB>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  private readonly statements = new Map<string, Database.Statement>();

  /** `opened`: a connection opened elsewhere (read-only backup verification): used as is, not migrated. */
  constructor(readonly dataDir: string, opts: SqliteOptions = {}, opened?: Database.Database) {
    if (opened) {
      this.raw = opened;
      return;
    }
    mkdirSync(dataDir, { recursive: true });
    this.raw = new Database(join(dataDir, DB_FILE));
    this.raw.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit is in the OS before we answer, so kill -9 loses nothing; FULL adds fsync.
    this.raw.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.raw.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    this.raw.pragma('foreign_keys = ON');
    migrate(this.raw, dataDir);
  }

  prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.raw.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  all<R>(query: Compilable<R>): R[] {
    const c = query.compile();
    return this.prepare(c.sql).all(...(c.parameters as unknown[])) as R[];
  }

  get<R>(query: Compilable<R>): R | undefined {
    const c = query.compile();
    return this.prepare(c.sql).get(...(c.parameters as unknown[])) as R | undefined;
  }

  run(query: Compilable<unknown>): Database.RunResult {
    const c = query.compile();
    return this.prepare(c.sql).run(...(c.parameters as unknown[]));
  }

  /** Runs `fn` in one IMMEDIATE transaction (write lock taken up front, no upgrade deadlock). */
  tx<T>(fn: () => T): T {
    return this.raw.transaction(fn).immediate();
  }

  close(): void {
    this.raw.close();
  }
}

/** The schema version the store in `dataDir` records; undefined when there is no store (or it cannot be read: opening says why). */
export function storeSchemaVersion(dataDir: string): number | undefined {
  let db: Database.Database;
  try {
    db = new Database(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true });
  } catch {
    return undefined;
  }
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

/** An older Outgate never opens a store a newer one has migrated: it would misread what it does not know. */
export function storeTooNew(dataDir: string, version: number): OutgateError {
  return new OutgateError(
    Errors.STORE_TOO_NEW,
    `The store in ${dataDir} has schema version ${version}, newer than this Outgate ${VERSION} knows (${MIGRATIONS.length}): a newer Outgate has used it. Install that version again, or restore a backup taken before the upgrade (outgate restore); nothing was changed.`,
  );
}

function migrate(db: Database.Database, dataDir: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) throw storeTooNew(dataDir, current);
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
