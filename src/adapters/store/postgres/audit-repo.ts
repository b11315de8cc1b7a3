// The audit log on PostgreSQL: appended inside the transaction of the change it records, in order,
// because every append first locks the one audit_head row (the chain's seq and hash come from it).
import { sql, type Kysely } from 'kysely';
import { AUDIT_CONFIG_OPERATION, chain, ChainWalk, type AuditEntry, type AuditRecord, type IntegrityReport } from '../../../app/audit.js';
import type { AuditQuery } from '../../../app/ports.js';
import { EVENT_COOLDOWN_MS, isRepeatable, type DomainEvent } from '../../../domain/events.js';
import { searchAuditQuery } from '../sql/queries.js';
import { auditRow, toAuditRecord } from '../sql/rows.js';
import type { DB } from '../sql/schema.js';
import type { PgDb, Tx } from './database.js';

export async function auditEnabled(q: Kysely<DB>): Promise<boolean> {
  return ((await q.selectFrom('meta').select('value').where('key', '=', 'audit_enabled').executeTakeFirst())?.value ?? 1) === 1;
}

async function lockHead(trx: Tx): Promise<{ seq: number; hash: string }> {
  return trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
}

/** Appends entries to the chain; while auditing is off only the switch itself is recorded. */
export async function appendAudit(trx: Tx, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  let head = await lockHead(trx);
  const wanted = (await auditEnabled(trx)) ? entries : entries.filter((e) => e.operation === AUDIT_CONFIG_OPERATION);
  if (wanted.length === 0) return;
  const rows = [];
  for (const e of wanted) {
    const r = chain(e, head.seq + 1, head.hash);
    rows.push(auditRow(r));
    head = { seq: r.seq, hash: r.hash };
  }
  await trx.insertInto('audit_log').values(rows).execute();
  await trx.updateTable('audit_head').set(head).where('id', '=', 1).execute();
}

/** Switches auditing, the switch itself recorded; the head is locked first, so appends see one state. */
export async function setAuditEnabled(trx: Tx, enabled: boolean, entries: readonly AuditEntry[]): Promise<void> {
  await lockHead(trx);
  await trx.updateTable('meta').set({ value: enabled ? 1 : 0 }).where('key', '=', 'audit_enabled').execute();
  await appendAudit(trx, entries);
}

export async function searchAudit(q: Kysely<DB>, a: AuditQuery): Promise<AuditRecord[]> {
  return (await searchAuditQuery(q, a).execute()).map(toAuditRecord);
}

/** Records after `seq`, oldest first (the alert engine reads the log in order). */
export async function auditAfter(q: Kysely<DB>, seq: number, limit: number): Promise<AuditRecord[]> {
  return (await q.selectFrom('audit_log').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute()).map(toAuditRecord);
}

const PAGE = 5_000;

/**
 * Verifies the whole chain as of one snapshot (REPEATABLE READ): records and head from the same moment.
 * Streamed: pages by seq (keyset) are checked as they arrive and dropped, so memory stays one page
 * whatever the log's length.
 */
export async function verifyAudit(db: PgDb, countTenant?: string): Promise<IntegrityReport> {
  return db.q
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => verifyAuditIn(trx, countTenant));
}

/** verifyAudit inside a transaction the caller holds (the migration checks what it copied before committing). */
export async function verifyAuditIn(trx: Kysely<DB>, countTenant?: string): Promise<IntegrityReport> {
  const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  const walk = new ChainWalk(countTenant);
  for (let after = -1; ; ) {
    const page = await trx.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(PAGE).execute();
    for (const r of page) if (!walk.add(toAuditRecord(r))) return walk.end(head);
    if (page.length < PAGE) return walk.end(head);
    after = page[page.length - 1]!.seq;
  }
}

/**
 * The events to record of `events`: a repeated one (isRepeatable) only if no node recorded the same
 * for its sender within EVENT_COOLDOWN_MS. One upsert per event, which takes the row's lock, so of
 * nodes raising it at once exactly one wins.
 */
export async function pastCooldown(trx: Tx, events: readonly DomainEvent[]): Promise<DomainEvent[]> {
  const out: DomainEvent[] = [];
  for (const e of events) {
    if (!isRepeatable(e)) {
      out.push(e);
      continue;
    }
    const s = e.sender;
    const won = await sql`INSERT INTO event_cooldowns (tenant_id, entity_type, identity, event, at) VALUES (${s.tenantId}, ${s.type}, ${s.identity}, ${e.type}, ${e.at})
      ON CONFLICT (tenant_id, entity_type, identity, event) DO UPDATE SET at = excluded.at
      WHERE event_cooldowns.at <= excluded.at - ${EVENT_COOLDOWN_MS} RETURNING 1`.execute(trx);
    if (won.rows.length > 0) out.push(e);
  }
  return out;
}
