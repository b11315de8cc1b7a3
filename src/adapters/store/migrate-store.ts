// `outgate migrate-store`: an embedded install copied into PostgreSQL (and its counter windows into
// Redis) without loss. The source is a verified snapshot taken under the data directory's server lock
// (outgate backup's: every acknowledged send included), so no server can run on it meanwhile. The copy
// is one PostgreSQL transaction that also checks what it wrote (row counts, the audit chain) before it
// commits: a failure leaves the target as empty as it was, and the command can simply be run again.
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { MinuteBucket } from '../../domain/rolling-window.js';
import { senderKey, type SenderRef } from '../../domain/sender.js';
import { Errors, fail, OutgateError } from '../../errors.js';
import type { DB } from './sql/schema.js';
import { verifyAuditIn } from './postgres/audit-repo.js';
import { migrate, PgDb } from './postgres/database.js';
import { loadWindows } from './postgres/enforcement-repo.js';
import { RedisConnection, type RedisTarget } from './redis/connection.js';
import { DEFAULT_PREFIX } from './redis/keys.js';
import { RedisCounters } from './redis/sending-counters.js';
import { backupStore } from './sqlite/backup.js';
import { lockDataDir } from './sqlite/data-dir-lock.js';
import { DB_FILE } from './sqlite/database.js';

/** Every durable table, parents before children (foreign keys). */
export const COPIED_TABLES = [
  'tenants', 'accepted_domains', 'policies', 'rules', 'connectors', 'groups', 'recipient_permissions',
  'restrictions', 'restriction_history', 'sending_minutes', 'sending_hours', 'window_resets',
  'audit_log', 'admin_accounts', 'api_keys', 'web_sessions', 'sign_in_failures',
  'alert_policies', 'alerts', 'alert_events', 'alert_notifications', 'alert_webhooks', 'alert_notification_days',
] as const satisfies ReadonlyArray<keyof DB>;

/**
 * Tables copied otherwise or not at all: meta and audit_head as values; change_log is the embedded
 * store's own feed (nodes on PostgreSQL start from the end of theirs).
 */
const NOT_ROWS = new Set(['meta', 'audit_head', 'change_log', 'sqlite_sequence']);
/** meta keys of the embedded send journal: meaningless anywhere else. */
const LOCAL_META = new Set(['journal_generation', 'journal_offset']);
/** Identity columns whose sequences must continue after the copied ids. */
const SERIALS: ReadonlyArray<[string, string]> = [['restriction_history', 'id'], ['sign_in_failures', 'id'], ['alert_events', 'id']];
/** PostgreSQL takes at most 65,535 parameters per statement. */
const PARAMS_PER_INSERT = 30_000;
const DAY_MINUTES = 1440;

export interface MigrateOptions {
  readonly dataDir: string;
  /** postgres://… of an empty database (its schema is created if missing). */
  readonly to: string;
  /** Where the counter windows go (store.redisUrl of the nodes); absent: PostgreSQL only. */
  readonly redis?: RedisTarget;
  /** Key prefix on Redis (tests); the nodes' default otherwise. */
  readonly redisPrefix?: string;
  /** The clock's now: which minute buckets are still in the day window. */
  readonly now: number;
  readonly progress?: (p: MigrateProgress) => void;
}

export interface MigrateProgress {
  readonly table: string;
  readonly tableDone: number;
  readonly tableTotal: number;
  readonly done: number;
  readonly total: number;
}

export interface MigrateSummary {
  readonly tables: ReadonlyArray<{ readonly table: string; readonly embedded: number; readonly postgres: number }>;
  readonly auditRecords: number;
  readonly auditHead: string;
  /** Senders whose day window was written to Redis (0 without --redis). */
  readonly redisSenders: number;
}

export async function migrateStore(o: MigrateOptions): Promise<MigrateSummary> {
  if (!existsSync(join(o.dataDir, DB_FILE))) fail(Errors.NOT_FOUND, `There is no embedded Outgate store in ${o.dataDir} to migrate.`);
  let unlock: () => void;
  try {
    unlock = lockDataDir(o.dataDir);
  } catch (err) {
    if (err instanceof OutgateError && err.code === Errors.STORE_LOCKED.code) {
      fail(Errors.STORE_LOCKED, `${err.message} Stop it before migrating (systemctl stop outgate): its sends would be missing from the copy. Nothing was copied.`);
    }
    throw err;
  }
  const staging = mkdtempSync(join(o.dataDir, '.migrate-'));
  try {
    const snapshot = join(staging, DB_FILE);
    // Journaled sends folded in, and the audit chain verified: a broken source is refused here.
    await backupStore(o.dataDir, snapshot);
    const source = new Database(snapshot, { readonly: true, fileMustExist: true });
    try {
      return await copyInto(source, o);
    } finally {
      source.close();
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    unlock();
  }
}

async function copyInto(source: Database.Database, o: MigrateOptions): Promise<MigrateSummary> {
  refuseUnknownTables(source);
  const counts = new Map(COPIED_TABLES.map((t) => [t, (source.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n]));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const head = source.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string };

  const db = new PgDb({ url: o.to, poolSize: 1 });
  let redis: RedisConnection | undefined;
  const seeded = new Set<string>();
  try {
    await migrate(db);
    if (o.redis) {
      redis = await RedisConnection.open(o.redis, { commandTimeoutMs: 10_000, connectTimeoutMs: 5_000 }).catch((err: unknown) => {
        throw new OutgateError(Errors.STORE_UNAVAILABLE, `Cannot connect to Redis (--redis): ${err instanceof Error ? err.message : String(err)}. Nothing was copied.`);
      });
      await refuseNonEmptyRedis(redis, o.redisPrefix ?? DEFAULT_PREFIX);
    }
    const result = await db.tx(async (trx) => {
      // Writers (a node started on the target meanwhile) wait for this transaction; readers do not.
      await sql`LOCK TABLE ${sql.join([...COPIED_TABLES, 'meta', 'audit_head'].map((t) => sql.table(t)))} IN EXCLUSIVE MODE`.execute(trx);
      await refuseNonEmptyTarget(trx);
      let done = 0;
      for (const table of COPIED_TABLES) {
        const tableTotal = counts.get(table)!;
        let tableDone = 0;
        o.progress?.({ table, tableDone, tableTotal, done, total });
        for (const rows of batches(source, table)) {
          await insertRows(trx, table, rows);
          tableDone += rows.length;
          done += rows.length;
          o.progress?.({ table, tableDone, tableTotal, done, total });
        }
      }
      await copyMeta(trx, source, o.now);
      await trx.updateTable('audit_head').set({ seq: head.seq, hash: head.hash }).where('id', '=', 1).execute();
      for (const [table, column] of SERIALS) {
        await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}), GREATEST(MAX(${sql.ref(column)}), 1), MAX(${sql.ref(column)}) IS NOT NULL) FROM ${sql.table(table)}`.execute(trx);
      }
      // Verified before the commit: a copy that does not match is rolled back, never left looking valid.
      const tables = [];
      for (const table of COPIED_TABLES) {
        const n = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(trx)).rows[0]!.n);
        if (n !== counts.get(table)) throw new Error(`${table}: ${counts.get(table)} rows in the embedded store, ${n} copied`);
        tables.push({ table, embedded: counts.get(table)!, postgres: n });
      }
      const report = await verifyAuditIn(trx);
      if (!report.ok) throw new Error(`the copied audit chain does not verify at record ${report.brokenAt}: ${report.reason}`);
      if (report.head !== head.hash) throw new Error(`the copied audit chain ends at ${report.head}, the embedded store's at ${head.hash}`);
      // Redis last, inside the transaction: if it fails the copy is rolled back with it.
      const redisSenders = redis ? await seedWindows(trx, redis, o, (key) => seeded.add(key)) : 0;
      return { tables, auditRecords: report.records, auditHead: `${head.seq}:${head.hash}`, redisSenders };
    });
    seeded.clear();
    return result;
  } catch (err) {
    // The transaction rolled back; what was written to Redis for it goes too.
    if (redis && seeded.size > 0) await unseed(redis, seeded).catch(() => undefined);
    // Refusals already say nothing was copied; anything else failed mid-way and was undone.
    if (err instanceof OutgateError && err.message.includes('Nothing was copied')) throw err;
    const why = err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
    throw new OutgateError(Errors.STORE_UNAVAILABLE, `The migration failed and was rolled back, leaving the target empty (run it again once fixed): ${why}.`);
  } finally {
    await redis?.close();
    await db.close();
  }
}

/** A table this version does not know how to copy would be lost: refuse instead. */
function refuseUnknownTables(source: Database.Database): void {
  const known = new Set<string>(COPIED_TABLES);
  const names = (source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
  const unknown = names.filter((n) => !known.has(n) && !NOT_ROWS.has(n));
  if (unknown.length > 0) fail(Errors.CONFLICT, `The embedded store has table(s) this version cannot migrate: ${unknown.join(', ')}. Nothing was copied.`);
}

async function refuseNonEmptyTarget(trx: Kysely<DB>): Promise<void> {
  const used = [];
  for (const table of COPIED_TABLES) {
    if ((await sql`SELECT 1 FROM ${sql.table(table)} LIMIT 1`.execute(trx)).rows.length > 0) used.push(table);
  }
  const head = await trx.selectFrom('audit_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
  if (head.seq > 0 && !used.includes('audit_log')) used.push('audit_head');
  if (used.length > 0) {
    fail(Errors.CONFLICT, `The PostgreSQL database is not empty (it has ${used.join(', ')}): migrate into a new, empty database. Nothing was copied.`);
  }
}

async function refuseNonEmptyRedis(redis: RedisConnection, prefix: string): Promise<void> {
  for await (const key of redis.scan(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`)) {
    fail(Errors.CONFLICT, `Redis already holds Outgate counters (${JSON.stringify(key)} under prefix '${prefix}'): migrate into an unused Redis. Nothing was copied.`);
  }
}

function* batches(source: Database.Database, table: string): Generator<Array<Record<string, unknown>>> {
  const st = source.prepare(`SELECT * FROM "${table}"`);
  const perBatch = Math.max(1, Math.floor(PARAMS_PER_INSERT / st.columns().length));
  let rows: Array<Record<string, unknown>> = [];
  for (const row of st.iterate() as Iterable<Record<string, unknown>>) {
    rows.push(row);
    if (rows.length >= perBatch) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length > 0) yield rows;
}

async function insertRows(trx: Kysely<DB>, table: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const values = rows.map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
  await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) VALUES ${sql.join(values)}`.execute(trx);
}

/** Settings and cursors (audit on or off, directory revision, the alert engine's place in the log), and when it was migrated. */
async function copyMeta(trx: Kysely<DB>, source: Database.Database, now: number): Promise<void> {
  const rows = (source.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: number }>).filter((r) => !LOCAL_META.has(r.key));
  rows.push({ key: 'migrated_from_embedded_at', value: now });
  await trx
    .insertInto('meta')
    .values(rows)
    .onConflict((c) => c.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

/** The day window of every sender, as the copied history has it (window resets applied), into Redis. */
async function seedWindows(trx: Kysely<DB>, redis: RedisConnection, o: MigrateOptions, writing: (key: string) => void): Promise<number> {
  const counters = new RedisCounters(redis, { prefix: o.redisPrefix ?? DEFAULT_PREFIX });
  const bySender = new Map<string, { sender: SenderRef; buckets: MinuteBucket[] }>();
  for (const { sender, bucket } of await loadWindows(trx, Math.floor(o.now / 60_000) - DAY_MINUTES)) {
    const k = senderKey(sender);
    let e = bySender.get(k);
    if (!e) bySender.set(k, (e = { sender, buckets: [] }));
    e.buckets.push(bucket);
  }
  for (const { sender, buckets } of bySender.values()) await counters.seed(sender, buckets, writing);
  return bySender.size;
}

async function unseed(redis: RedisConnection, keys: Iterable<string>): Promise<void> {
  for (const key of keys) await redis.command(key, ['DEL', key]);
}
