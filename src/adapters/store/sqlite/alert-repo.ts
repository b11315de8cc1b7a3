// Alert policies, alerts, the notification outbox, webhooks and daily notification counts in the
// embedded store.
import type { AlertBatch, AlertQuery, StoredAlert, StoredAlertEvent, StoredNotification, StoredWebhook } from '../../../app/ports.js';
import type { AlertPolicy } from '../../../domain/alert-policy.js';
import type { AlertStatus } from '../../../domain/alert.js';
import type { EntityType } from '../../../domain/sender.js';
import type { SqliteDb } from './database.js';
import { alertEventRow, alertPolicyRow, alertRow, notificationRow, toAlert, toAlertEvent, toAlertPolicy, toNotification, toWebhook, webhookRow } from '../sql/rows.js';

export function listAlertPolicies(db: SqliteDb, tenantId?: string): AlertPolicy[] {
  let q = db.q.selectFrom('alert_policies').selectAll();
  if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
  return db.all(q.orderBy('name')).map(toAlertPolicy);
}

export function saveAlertPolicy(db: SqliteDb, p: AlertPolicy): void {
  const row = alertPolicyRow(p);
  const { tenant_id: _t, id: _i, ...update } = row;
  db.run(db.q.insertInto('alert_policies').values(row).onConflict((c) => c.columns(['tenant_id', 'id']).doUpdateSet(update)));
}

export function removeAlertPolicy(db: SqliteDb, tenantId: string, id: string): void {
  db.run(db.q.deleteFrom('alert_policies').where('tenant_id', '=', tenantId).where('id', '=', id));
}

export function alertCursor(db: SqliteDb): number {
  return db.get(db.q.selectFrom('meta').select('value').where('key', '=', 'alert_cursor'))?.value ?? 0;
}

export function latestAlert(db: SqliteDb, tenantId: string, policyId: string, entityType: EntityType, entity: string): StoredAlert | undefined {
  const row = db.get(
    db.q
      .selectFrom('alerts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('policy_id', '=', policyId)
      .where('entity_type', '=', entityType)
      .where('entity', '=', entity)
      .orderBy('first_event_at', 'desc')
      .limit(1),
  );
  return row && toAlert(row);
}

export function notificationsCounted(db: SqliteDb, tenantId: string, policyId: string, day: number): number {
  return db.get(db.q.selectFrom('alert_notification_days').select('count').where('tenant_id', '=', tenantId).where('policy_id', '=', policyId).where('day', '=', day))?.count ?? 0;
}

/** Thrown inside the batch's transaction to undo it: an alert it joins was resolved meanwhile. */
export class StaleBatch extends Error {}

/**
 * Writes a batch if the cursor is still where the engine read it; call inside a write transaction.
 * Throws StaleBatch (the caller rolls back and plans again) when an alert to join was resolved since.
 */
export function commitAlertBatch(db: SqliteDb, b: AlertBatch): boolean {
  const moved = db.run(db.q.updateTable('meta').set({ value: b.toSeq }).where('key', '=', 'alert_cursor').where('value', '=', b.fromSeq));
  if (moved.changes === 0) return false;
  for (const a of b.newAlerts) db.run(db.q.insertInto('alerts').values(alertRow(a)));
  for (const j of b.joined) {
    const r = db.prepare("UPDATE alerts SET event_count = event_count + 1, last_event_at = MAX(last_event_at, ?), reason = ? WHERE id = ? AND status != 'Resolved'").run(j.at, j.reason, j.alertId);
    if (r.changes === 0) throw new StaleBatch();
  }
  for (const e of b.events) db.run(db.q.insertInto('alert_events').values(alertEventRow(e)));
  for (const n of b.notifications) db.run(db.q.insertInto('alert_notifications').values(notificationRow(n)));
  for (const c of b.counted) {
    db.prepare(
      `INSERT INTO alert_notification_days (tenant_id, policy_id, day, count) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET count = count + excluded.count`,
    ).run(c.tenantId, c.policyId, c.day, c.add);
  }
  // Counts of past days no longer matter.
  const today = Math.max(0, ...b.counted.map((c) => c.day));
  if (today > 0) db.run(db.q.deleteFrom('alert_notification_days').where('day', '<', today - 1));
  return true;
}

export function listAlerts(db: SqliteDb, q: AlertQuery): { total: number; items: StoredAlert[] } {
  let query = db.q.selectFrom('alerts');
  if (q.tenantId !== undefined) query = query.where('tenant_id', '=', q.tenantId);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.severity !== undefined) query = query.where('severity', '=', q.severity);
  if (q.entityType !== undefined) query = query.where('entity_type', '=', q.entityType);
  if (q.search !== undefined && q.search !== '') {
    // instr, not LIKE: the search text is matched literally (no wildcards from the caller).
    const s = q.search.toLowerCase();
    query = query.where((eb) => eb.or([eb(eb.fn('instr', [eb.fn('lower', ['entity']), eb.val(s)]), '>', 0), eb(eb.fn('instr', [eb.fn('lower', ['policy_name']), eb.val(s)]), '>', 0)]));
  }
  const total = db.get(query.select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
  const rows = db.all(query.selectAll().orderBy('last_event_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset));
  return { total, items: rows.map(toAlert) };
}

export function getAlert(db: SqliteDb, id: string): { alert: StoredAlert; events: StoredAlertEvent[]; notifications: StoredNotification[] } | undefined {
  const row = db.get(db.q.selectFrom('alerts').selectAll().where('id', '=', id));
  if (!row) return undefined;
  const events = db.all(db.q.selectFrom('alert_events').selectAll().where('alert_id', '=', id).orderBy('at').orderBy('id')).map(toAlertEvent);
  const notifications = db.all(db.q.selectFrom('alert_notifications').selectAll().where('alert_id', '=', id).orderBy('created_at').orderBy('recipient')).map(toNotification);
  return { alert: toAlert(row), events, notifications };
}

export function setAlertStatus(db: SqliteDb, id: string, status: AlertStatus, at: number): void {
  db.run(db.q.updateTable('alerts').set({ status, changed_at: at }).where('id', '=', id));
}

export function listWebhooks(db: SqliteDb, tenantId?: string): StoredWebhook[] {
  let q = db.q.selectFrom('alert_webhooks').selectAll();
  if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
  return db.all(q.orderBy('name')).map(toWebhook);
}

export function saveWebhook(db: SqliteDb, w: StoredWebhook): void {
  db.run(db.q.insertInto('alert_webhooks').values(webhookRow(w)));
}

export function removeWebhook(db: SqliteDb, id: string): void {
  db.run(db.q.deleteFrom('alert_webhooks').where('id', '=', id));
}

export function anyDue(db: SqliteDb, now: number): boolean {
  return db.get(db.q.selectFrom('alert_notifications').select('id').where('status', '=', 'Pending').where('next_attempt_at', '<=', now).limit(1)) !== undefined;
}

export function claimNotifications(db: SqliteDb, now: number, leaseMs: number, limit: number): Array<{ notification: StoredNotification; alert: StoredAlert; webhook: StoredWebhook | undefined }> {
  const due = db.all(db.q.selectFrom('alert_notifications').selectAll().where('status', '=', 'Pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit));
  const out = [];
  for (const row of due) {
    // The lease: another claimer skips it until then; a crash mid-send means it is tried again after.
    db.run(db.q.updateTable('alert_notifications').set({ next_attempt_at: now + leaseMs }).where('id', '=', row.id));
    const alert = toAlert(db.get(db.q.selectFrom('alerts').selectAll().where('id', '=', row.alert_id))!);
    const hook = row.webhook_id === null ? undefined : db.get(db.q.selectFrom('alert_webhooks').selectAll().where('id', '=', row.webhook_id));
    out.push({ notification: toNotification(row), alert, webhook: hook && toWebhook(hook) });
  }
  return out;
}

export function finishNotification(db: SqliteDb, n: StoredNotification): void {
  const { id, ...rest } = notificationRow(n);
  db.run(db.q.updateTable('alert_notifications').set(rest).where('id', '=', id));
}
