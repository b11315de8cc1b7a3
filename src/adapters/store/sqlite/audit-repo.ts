// The audit log in the embedded store: appended inside the transaction of the change it records.
import { AUDIT_CONFIG_OPERATION, chain, type AuditEntry, type AuditRecord } from '../../../app/audit.js';
import type { AuditQuery } from '../../../app/ports.js';
import type { SqliteDb } from './database.js';
import { auditRow, toAuditRecord } from '../sql/rows.js';
import { searchAuditQuery } from '../sql/queries.js';
import type { AuditLogTable } from '../sql/schema.js';

export function auditEnabled(db: SqliteDb): boolean {
  return (db.get(db.q.selectFrom('meta').select('value').where('key', '=', 'audit_enabled'))?.value ?? 1) === 1;
}

export function setAuditEnabled(db: SqliteDb, enabled: boolean): void {
  const value = enabled ? 1 : 0;
  db.run(db.q.insertInto('meta').values({ key: 'audit_enabled', value }).onConflict((c) => c.column('key').doUpdateSet({ value })));
}

export function auditHead(db: SqliteDb): { seq: number; hash: string } {
  return db.get(db.q.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1))!;
}

/** Appends entries to the chain; while auditing is off only the switch itself is recorded. Call inside a write transaction. */
export function appendAudit(db: SqliteDb, entries: readonly AuditEntry[]): void {
  const wanted = auditEnabled(db) ? entries : entries.filter((e) => e.operation === AUDIT_CONFIG_OPERATION);
  if (wanted.length === 0) return;
  let head = auditHead(db);
  for (const e of wanted) {
    const r = chain(e, head.seq + 1, head.hash);
    db.run(db.q.insertInto('audit_log').values(auditRow(r)));
    head = { seq: r.seq, hash: r.hash };
  }
  db.run(db.q.updateTable('audit_head').set(head).where('id', '=', 1));
}

export function searchAudit(db: SqliteDb, q: AuditQuery): AuditRecord[] {
  return db.all(searchAuditQuery(db.q, q)).map(toAuditRecord);
}

/** Records after `seq`, oldest first (the alert engine reads the log in order). */
export function auditAfter(db: SqliteDb, seq: number, limit: number): AuditRecord[] {
  return db.all(db.q.selectFrom('audit_log').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit)).map(toAuditRecord);
}

export function* allAuditRecords(db: SqliteDb): Generator<AuditRecord> {
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<AuditLogTable>) yield toAuditRecord(row);
}
