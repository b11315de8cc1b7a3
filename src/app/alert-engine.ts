// Raises alerts from the audit log (docs/spec.md §5: "For alerts to work, audit logging must be turned on"):
// reads the records after a stored cursor, matches them to the tenant's enabled alert policies, joins
// repeats to the open alert, applies recipients and the daily notification limit, and writes alerts,
// events and notifications (the outbox) with the new cursor in one transaction. The cursor moves only if
// no other process moved it first, so a record raises its alert once, across restarts and processes.
import { randomUUID } from 'node:crypto';
import { joinsAlert, triggerOf, utcDay, withinDailyLimit, type Trigger } from '../domain/alert.js';
import { tenantPolicies, TENANT_ADMINS, type AlertPolicy } from '../domain/alert-policy.js';
import type { AdminAccount } from '../domain/account.js';
import type { AuditRecord } from './audit.js';
import type { AlertBatch, Clock, Store, StoredAlert, StoredAlertEvent, StoredNotification, StoredWebhook } from './ports.js';

const BATCH = 500;

export interface EngineResult {
  /** Audit records read. */
  readonly read: number;
  readonly raised: number;
}

/** Processes every audit record not yet seen; returns what it did (0 read when there was nothing). */
export async function raiseAlerts(store: Store, clock: Clock): Promise<EngineResult> {
  let read = 0;
  let raised = 0;
  for (;;) {
    const from = await store.alertCursor();
    const records = await store.auditAfter(from, BATCH);
    if (records.length === 0) return { read, raised };
    const batch = await plan(store, clock, from, records);
    if (!(await store.commitAlertBatch(batch))) continue; // another process took these records; read on from its cursor
    read += records.length;
    raised += batch.newAlerts.length;
    if (records.length < BATCH) return { read, raised };
  }
}

async function plan(store: Store, clock: Clock, fromSeq: number, records: readonly AuditRecord[]): Promise<AlertBatch> {
  const toSeq = records[records.length - 1]!.seq;
  const empty: AlertBatch = { fromSeq, toSeq, newAlerts: [], joined: [], events: [], notifications: [], counted: [] };
  // Auditing off: nothing fires, and what was read is not kept to fire later.
  if (!(await store.auditEnabled())) return empty;
  const triggered = records.flatMap((r) => {
    const t = triggerOf(r.operation, r.target, r.after === null ? null : JSON.parse(r.after));
    return t ? [{ r, t }] : [];
  });
  if (triggered.length === 0) return empty;

  const [directory, stored, accounts, webhooks] = await Promise.all([store.loadDirectory(), store.listAlertPolicies(), store.listAccounts(), store.listWebhooks()]);
  const now = clock.now();
  const newAlerts = new Map<string, StoredAlert>();
  const latest = new Map<string, StoredAlert | undefined>();
  const counts = new Map<string, number>();
  const out = { joined: [] as Array<{ alertId: string; at: number; reason: string }>, events: [] as StoredAlertEvent[], notifications: [] as StoredNotification[] };

  for (const { r, t } of triggered) {
    const tenant = directory.tenants.find((x) => x.Id === r.tenantId);
    if (!tenant) continue;
    const policies = tenantPolicies(stored, tenant.Id, tenant.WhenCreatedUTC).filter((x) => !x.Disabled);
    for (const p of policies.filter((x) => x.Event === t.event)) {
      const key = `${tenant.Id}\u0000${p.Identity}\u0000${t.entityType}\u0000${t.entity}`;
      if (!latest.has(key)) latest.set(key, await store.latestAlert(tenant.Id, p.Identity, t.entityType, t.entity));
      const open = latest.get(key);
      out.events.push({ alertId: '', at: r.at, operation: r.operation, reason: t.reason, auditSeq: r.seq });
      const event = out.events[out.events.length - 1]!;
      if (open && joinsAlert(open, r.at, p.AggregationMinutes)) {
        const joined = { ...open, eventCount: open.eventCount + 1, lastEventAt: Math.max(open.lastEventAt, r.at), reason: t.reason || open.reason };
        if (newAlerts.has(open.id)) newAlerts.set(open.id, joined);
        else out.joined.push({ alertId: open.id, at: r.at, reason: joined.reason });
        latest.set(key, joined);
        out.events[out.events.length - 1] = { ...event, alertId: open.id };
        continue;
      }
      const alert = newAlert(p, t, r);
      newAlerts.set(alert.id, alert);
      latest.set(key, alert);
      out.events[out.events.length - 1] = { ...event, alertId: alert.id };
      const own = await notificationsFor(store, p, alert, accounts, webhooks, counts, now);
      out.notifications.push(...own);
      const also = t.alsoNotify ? policies.find((x) => x.Event === t.alsoNotify) : undefined;
      if (also) {
        // The Alert action tells the User restricted policy's recipients too, within that policy's
        // daily limit, each address once per alert (docs/spec.md §3).
        const told = new Set(own.filter((n) => n.channel === 'email').map((n) => n.recipient));
        out.notifications.push(...(await notificationsFor(store, also, alert, accounts, [], counts, now)).filter((n) => !told.has(n.recipient)));
      }
    }
  }
  const counted = [...counts].map(([k, n]) => {
    const [tenantId, policyId, day] = k.split('\u0000') as [string, string, string];
    return { tenantId, policyId, day: Number(day), add: n };
  });
  // `counts` starts from the stored count; only what this batch added is written.
  const base = await Promise.all(counted.map((c) => store.notificationsCounted(c.tenantId, c.policyId, c.day)));
  return {
    fromSeq,
    toSeq,
    newAlerts: [...newAlerts.values()],
    ...out,
    counted: counted.map((c, i) => ({ ...c, add: c.add - base[i]! })).filter((c) => c.add > 0),
  };
}

function newAlert(p: AlertPolicy, t: Trigger, r: AuditRecord): StoredAlert {
  return {
    id: randomUUID(),
    tenantId: r.tenantId,
    policyId: p.Identity,
    policyName: p.Name,
    severity: p.Severity,
    status: 'New',
    entityType: t.entityType,
    entity: t.entity,
    reason: t.reason,
    firstEventAt: r.at,
    lastEventAt: r.at,
    eventCount: 1,
    changedAt: r.at,
  };
}

/**
 * A new alert's notifications: one email per recipient (within the policy's daily limit, else recorded
 * as Suppressed), one post per enabled webhook. Recipients that resolve to no address are recorded as
 * Undeliverable with the reason, never dropped silently.
 */
async function notificationsFor(
  store: Store,
  p: AlertPolicy,
  alert: StoredAlert,
  accounts: readonly AdminAccount[],
  webhooks: readonly StoredWebhook[],
  counts: Map<string, number>,
  now: number,
): Promise<StoredNotification[]> {
  const base = { alertId: alert.id, attempts: 0, lastAttemptAt: null, sentAt: null, lastError: null, createdAt: now };
  const out: StoredNotification[] = webhooks
    .filter((w) => w.enabled && w.tenantId === alert.tenantId)
    .map((w) => ({ ...base, id: randomUUID(), channel: 'webhook', recipient: w.url, webhookId: w.id, status: 'Pending', nextAttemptAt: now }));
  if (!p.NotificationEnabled) return out;
  const { addresses, unresolved } = resolveRecipients(p.NotifyUser, alert.tenantId, accounts);
  for (const u of unresolved) out.push({ ...base, id: randomUUID(), channel: 'email', recipient: u.name, webhookId: null, status: 'Undeliverable', nextAttemptAt: null, lastError: u.why });
  if (addresses.length === 0) return out;
  const day = utcDay(alert.firstEventAt);
  const key = `${alert.tenantId}\u0000${p.Identity}\u0000${day}`;
  if (!counts.has(key)) counts.set(key, await store.notificationsCounted(alert.tenantId, p.Identity, day));
  const sent = counts.get(key)!;
  const allowed = withinDailyLimit(sent, p.DailyNotificationLimit);
  if (allowed) counts.set(key, sent + 1);
  for (const to of addresses) {
    out.push(
      allowed
        ? { ...base, id: randomUUID(), channel: 'email', recipient: to, webhookId: null, status: 'Pending', nextAttemptAt: now }
        : {
            ...base,
            id: randomUUID(),
            channel: 'email',
            recipient: to,
            webhookId: null,
            status: 'Suppressed',
            nextAttemptAt: null,
            lastError: `The policy's daily notification limit (${p.DailyNotificationLimit}) was reached for ${new Date(day * 86_400_000).toISOString().slice(0, 10)} (UTC).`,
          },
    );
  }
  return out;
}

/**
 * NotifyUser entries as addresses: TenantAdmins are the enabled Global Administrators of the tenant
 * (and provider-level ones, who administer every tenant) with an email address; a name is an admin
 * account's address; an address is itself.
 */
export function resolveRecipients(notifyUser: readonly string[], tenantId: string, accounts: readonly AdminAccount[]): { addresses: string[]; unresolved: Array<{ name: string; why: string }> } {
  const addresses = new Set<string>();
  const unresolved: Array<{ name: string; why: string }> = [];
  const inTenant = (a: AdminAccount) => a.Enabled && (a.TenantId === tenantId || a.TenantId === null);
  for (const u of notifyUser) {
    if (u === TENANT_ADMINS) {
      const admins = accounts.filter((a) => inTenant(a) && a.Role === 'Global Administrator' && a.Email);
      if (admins.length === 0) unresolved.push({ name: TENANT_ADMINS, why: 'No enabled Global Administrator of this tenant has an email address (set one with Set-AdminAccount -Email).' });
      for (const a of admins) addresses.add(a.Email!);
    } else if (u.includes('@')) {
      addresses.add(u);
    } else {
      const a = accounts.find((x) => x.Name === u && inTenant(x));
      if (a?.Email) addresses.add(a.Email);
      else unresolved.push({ name: u, why: a ? `Admin account '${u}' has no email address or is disabled.` : `No admin account '${u}' in this tenant.` });
    }
  }
  return { addresses: [...addresses].sort(), unresolved };
}
