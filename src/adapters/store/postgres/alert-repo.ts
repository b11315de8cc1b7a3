// Alert policies, alerts, the notification outbox, webhooks and daily notification counts on
// PostgreSQL. Several nodes run the alert engine and the outbox: a batch commits only while the shared
// cursor is where its engine read it, and a notification is claimed by one node (SKIP LOCKED + lease).
import { sql, type Kysely } from 'kysely';
import type { AlertBatch, AlertQuery, StoredAlert, StoredAlertEvent, StoredNotification, StoredWebhook } from '../../../app/ports.js';
import type { AlertPolicy } from '../../../domain/alert-policy.js';
import type { AlertStatus } from '../../../domain/alert.js';
import type { EntityType } from '../../../domain/sender.js';
import { alertEventRow, alertPolicyRow, alertRow, notificationRow, toAlert, toAlertEvent, toAlertPolicy, toNotification, toWebhook, webhookRow } from '../sql/rows.js';
import type { AlertNotificationsTable, DB } from '../sql/schema.js';
import type { Tx } from './database.js';

export async function listAlertPolicies(q: Kysely<DB>, tenantId?: string): Promise<AlertPolicy[]> {
  let query = q.selectFrom('alert_policies').selectAll();
  if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
  return (await query.orderBy((eb) => eb.fn('lower', ['name'])).execute()).map(toAlertPolicy);
}

export async function saveAlertPolicy(trx: Tx, p: AlertPolicy): Promise<void> {
  const row = alertPolicyRow(p);
  const { tenant_id: _t, id: _i, ...update } = row;
  await trx.insertInto('alert_policies').values(row).onConflict((c) => c.columns(['tenant_id', 'id']).doUpdateSet(update)).execute();
}

export async function removeAlertPolicy(trx: Tx, tenantId: string, id: string): Promise<void> {
  await trx.deleteFrom('alert_policies').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function alertCursor(q: Kysely<DB>): Promise<number> {
  return (await q.selectFrom('meta').select('value').where('key', '=', 'alert_cursor').executeTakeFirst())?.value ?? 0;
}

export async function latestAlert(q: Kysely<DB>, tenantId: string, policyId: string, entityType: EntityType, entity: string): Promise<StoredAlert | undefined> {
  const row = await q
    .selectFrom('alerts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('policy_id', '=', policyId)
    .where('entity_type', '=', entityType)
    .where('entity', '=', entity)
    .orderBy('first_event_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toAlert(row);
}

export async function notificationsCounted(q: Kysely<DB>, tenantId: string, policyId: string, day: number): Promise<number> {
  return (await q.selectFrom('alert_notification_days').select('count').where('tenant_id', '=', tenantId).where('policy_id', '=', policyId).where('day', '=', day).executeTakeFirst())?.count ?? 0;
}

/** Thrown inside the batch's transaction to undo it: an alert it joins was resolved meanwhile. */
export class StaleBatch extends Error {}

/**
 * Writes a batch if the cursor is still where the engine read it. The conditional update takes the
 * cursor's row lock: a second engine with the same batch waits, then finds the cursor moved and
 * writes nothing, so alerts, notifications and daily counts never double across nodes.
 */
export async function commitAlertBatch(trx: Tx, b: AlertBatch): Promise<boolean> {
  const moved = await trx.updateTable('meta').set({ value: b.toSeq }).where('key', '=', 'alert_cursor').where('value', '=', b.fromSeq).executeTakeFirst();
  if (moved.numUpdatedRows === 0n) return false;
  if (b.newAlerts.length > 0) await trx.insertInto('alerts').values(b.newAlerts.map(alertRow)).execute();
  for (const j of b.joined) {
    const r = await trx
      .updateTable('alerts')
      .set((eb) => ({ event_count: eb('event_count', '+', 1), last_event_at: sql<number>`GREATEST(last_event_at, ${j.at})`, reason: j.reason }))
      .where('id', '=', j.alertId)
      .where('status', '!=', 'Resolved')
      .executeTakeFirst();
    if (r.numUpdatedRows === 0n) throw new StaleBatch();
  }
  if (b.events.length > 0) await trx.insertInto('alert_events').values(b.events.map(alertEventRow)).execute();
  if (b.notifications.length > 0) await trx.insertInto('alert_notifications').values(b.notifications.map(notificationRow)).execute();
  for (const c of b.counted) {
    await trx
      .insertInto('alert_notification_days')
      .values({ tenant_id: c.tenantId, policy_id: c.policyId, day: c.day, count: c.add })
      .onConflict((x) => x.columns(['tenant_id', 'policy_id', 'day']).doUpdateSet((eb) => ({ count: eb('alert_notification_days.count', '+', eb.ref('excluded.count')) })))
      .execute();
  }
  // Counts of past days no longer matter.
  const today = Math.max(0, ...b.counted.map((c) => c.day));
  if (today > 0) await trx.deleteFrom('alert_notification_days').where('day', '<', today - 1).execute();
  return true;
}

export async function listAlerts(q: Kysely<DB>, a: AlertQuery): Promise<{ total: number; items: StoredAlert[] }> {
  let query = q.selectFrom('alerts');
  if (a.tenantId !== undefined) query = query.where('tenant_id', '=', a.tenantId);
  if (a.status !== undefined) query = query.where('status', '=', a.status);
  if (a.severity !== undefined) query = query.where('severity', '=', a.severity);
  if (a.entityType !== undefined) query = query.where('entity_type', '=', a.entityType);
  if (a.search !== undefined && a.search !== '') {
    // strpos, not LIKE: the search text is matched literally (no wildcards from the caller).
    const s = a.search.toLowerCase();
    query = query.where((eb) => eb.or([eb(eb.fn('strpos', [eb.fn('lower', ['entity']), eb.val(s)]), '>', 0), eb(eb.fn('strpos', [eb.fn('lower', ['policy_name']), eb.val(s)]), '>', 0)]));
  }
  const total = (await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0;
  const rows = await query.selectAll().orderBy('last_event_at', 'desc').orderBy('id').limit(a.limit).offset(a.offset).execute();
  return { total, items: rows.map(toAlert) };
}

export async function getAlert(q: Kysely<DB>, id: string): Promise<{ alert: StoredAlert; events: StoredAlertEvent[]; notifications: StoredNotification[] } | undefined> {
  const row = await q.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const events = (await q.selectFrom('alert_events').selectAll().where('alert_id', '=', id).orderBy('at').orderBy('id').execute()).map(toAlertEvent);
  const notifications = (await q.selectFrom('alert_notifications').selectAll().where('alert_id', '=', id).orderBy('created_at').orderBy('recipient').execute()).map(toNotification);
  return { alert: toAlert(row), events, notifications };
}

export async function setAlertStatus(trx: Tx, id: string, status: AlertStatus, at: number): Promise<void> {
  await trx.updateTable('alerts').set({ status, changed_at: at }).where('id', '=', id).execute();
}

export async function listWebhooks(q: Kysely<DB>, tenantId?: string): Promise<StoredWebhook[]> {
  let query = q.selectFrom('alert_webhooks').selectAll();
  if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
  return (await query.orderBy((eb) => eb.fn('lower', ['name'])).execute()).map(toWebhook);
}

export async function saveWebhook(trx: Tx, w: StoredWebhook): Promise<void> {
  await trx.insertInto('alert_webhooks').values(webhookRow(w)).execute();
}

export async function removeWebhook(trx: Tx, id: string): Promise<void> {
  await trx.deleteFrom('alert_webhooks').where('id', '=', id).execute();
}

/**
 * Leases up to `limit` due notifications in one statement: rows another node is claiming right now are
 * skipped (SKIP LOCKED), and a claimed row's next attempt moves past the lease, so no other claimer
 * sees it until then (a node dying mid-send means it is tried again after the lease).
 */
export async function claimNotifications(trx: Tx, now: number, leaseMs: number, limit: number): Promise<Array<{ notification: StoredNotification; alert: StoredAlert; webhook: StoredWebhook | undefined }>> {
  const claimed = await sql<AlertNotificationsTable & { lease_from: number | null }>`
    WITH due AS (
      SELECT id, next_attempt_at FROM alert_notifications WHERE status = 'Pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    UPDATE alert_notifications n SET next_attempt_at = ${now + leaseMs} FROM due WHERE n.id = due.id
    RETURNING n.*, due.next_attempt_at AS lease_from`.execute(trx);
  if (claimed.rows.length === 0) return [];
  const rows = claimed.rows.sort((a, b) => (a.lease_from ?? 0) - (b.lease_from ?? 0) || a.id.localeCompare(b.id));
  const alerts = new Map((await trx.selectFrom('alerts').selectAll().where('id', 'in', [...new Set(rows.map((r) => r.alert_id))]).execute()).map((a) => [a.id, toAlert(a)]));
  const hookIds = [...new Set(rows.flatMap((r) => (r.webhook_id === null ? [] : [r.webhook_id])))];
  const hooks = new Map(hookIds.length === 0 ? [] : (await trx.selectFrom('alert_webhooks').selectAll().where('id', 'in', hookIds).execute()).map((h) => [h.id, toWebhook(h)]));
  // The notification as it was before the lease (the caller records the attempt on it).
  return rows.map(({ lease_from, ...row }) => ({
    notification: toNotification({ ...row, next_attempt_at: lease_from }),
    alert: alerts.get(row.alert_id)!,
    webhook: row.webhook_id === null ? undefined : hooks.get(row.webhook_id),
  }));
}

export async function finishNotification(q: Kysely<DB>, n: StoredNotification): Promise<void> {
  const { id, ...rest } = notificationRow(n);
  await q.updateTable('alert_notifications').set(rest).where('id', '=', id).execute();
}
