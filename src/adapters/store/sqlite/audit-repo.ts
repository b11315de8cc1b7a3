// The audit log in the embedded store: appended inside the transaction of the change it records.
import { AUDIT_CONFIG_OPERATION, chain, type AuditEntry, type AuditRecord } from '../../../app/audit.js';
import type { AuditQuery } from '../../../app/ports.js';
import type { SqliteDb } from './database.js';
import type { AuditLogTable } from './schema.js';

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
    db.run(db.q.insertInto('audit_log').values(toRow(r)));
    head = { seq: r.seq, hash: r.hash };
  }
  db.run(db.q.updateTable('audit_head').set(head).where('id', '=', 1));
}

export function searchAudit(db: SqliteDb, q: AuditQuery): AuditRecord[] {
  let query = db.q.selectFrom('audit_log').selectAll();
  if (q.tenantId !== undefined) query = query.where('tenant_id', '=', q.tenantId);
  if (q.from !== undefined) query = query.where('at', '>=', q.from);
  if (q.to !== undefined) query = query.where('at', '<', q.to);
  if (q.operations?.length) query = query.where('operation', 'in', q.operations);
  if (q.actors?.length) query = query.where('actor', 'in', q.actors);
  if (q.targets?.length) query = query.where('target', 'in', q.targets);
  return db.all(query.orderBy('seq', 'desc').limit(q.limit ?? 1000)).map(fromRow);
}

/** Records after `seq`, oldest first (the alert engine reads the log in order). */
export function auditAfter(db: SqliteDb, seq: number, limit: number): AuditRecord[] {
  return db.all(db.q.selectFrom('audit_log').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit)).map(fromRow);
}

export function* allAuditRecords(db: SqliteDb): Generator<AuditRecord> {
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<AuditLogTable>) yield fromRow(row);
}

function toRow(r: AuditRecord): AuditLogTable {
  return {
    seq: r.seq,
    at: r.at,
    tenant_id: r.tenantId,
    actor: r.actor,
    role: r.role,
    source: r.source,
    source_ip: r.sourceIp,
    operation: r.operation,
    target: r.target,
    before: r.before,
    after: r.after,
    result: r.result,
    prev_hash: r.prevHash,
    hash: r.hash,
  };
}

function fromRow(r: AuditLogTable): AuditRecord {
  return {
    seq: r.seq,
    at: r.at,
    tenantId: r.tenant_id,
    actor: r.actor,
    role: r.role,
    source: r.source,
    sourceIp: r.source_ip,
    operation: r.operation,
    target: r.target,
    before: r.before,
    after: r.after,
    result: r.result,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
