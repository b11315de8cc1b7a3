// Get-Alert / Set-Alert: the alerts raised in a tenant, one with its events and notifications
// (delivery attempts included), and the status an admin works it through (New, InProgress, Resolved).
import { ALERT_STATUSES, type AlertStatus, type Channel, type NotificationStatus } from '../domain/alert.js';
import { SEVERITIES, type Severity } from '../domain/alert-policy.js';
import { printable } from '../domain/address.js';
import type { EntityType } from '../domain/sender.js';
import { oneOf } from '../domain/policy.js';
import { Errors, fail } from '../errors.js';
import { tenantFilter, type AdminContext } from './directory-change.js';
import type { StoredAlert, StoredAlertEvent, StoredNotification } from './ports.js';
import { authorize } from './roles.js';

export interface AlertView {
  Identity: string;
  PolicyIdentity: string;
  PolicyName: string;
  Severity: Severity;
  Category: 'ThreatManagement';
  Status: AlertStatus;
  EntityType: EntityType;
  Entity: string;
  Reason: string;
  FirstEventAt: string;
  LastEventAt: string;
  EventCount: number;
  TenantId: string;
  Events?: Array<{ At: string; Operation: string; Reason: string }>;
  Notifications?: Array<{ Channel: Channel; Recipient: string; Status: NotificationStatus; Attempts: number; LastError: string | null; LastAttemptAt: string | null; SentAt: string | null }>;
}

export interface AlertListQuery {
  status?: unknown;
  severity?: unknown;
  entityType?: unknown;
  search?: unknown;
  page?: unknown;
  pageSize?: unknown;
}

const PAGE_SIZE_MAX = 500;

export async function listAlerts(ctx: AdminContext, q: AlertListQuery = {}): Promise<{ auditEnabled: boolean; total: number; items: AlertView[] }> {
  authorize(ctx.actor, 'read');
  const tenantId = tenantFilter(ctx, await ctx.store.loadDirectory());
  const page = whole('page', q.page ?? 1, 1, 100_000);
  const pageSize = whole('pageSize', q.pageSize ?? 50, 1, PAGE_SIZE_MAX);
  const search = q.search === undefined ? undefined : String(q.search).trim().slice(0, 320);
  const { total, items } = await ctx.store.listAlerts({
    tenantId,
    status: q.status === undefined ? undefined : oneOf('status', q.status, ALERT_STATUSES),
    severity: q.severity === undefined ? undefined : oneOf('severity', q.severity, SEVERITIES),
    entityType: q.entityType === undefined ? undefined : oneOf('entityType', q.entityType, ['Mailbox', 'Connector'] as const),
    search,
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  return { auditEnabled: await ctx.store.auditEnabled(), total, items: items.map((a) => present(a)) };
}

export type AlertDetail = AlertView & Required<Pick<AlertView, 'Events' | 'Notifications'>> & { auditEnabled: boolean };

export async function getAlert(ctx: AdminContext, identity: string): Promise<AlertDetail> {
  authorize(ctx.actor, 'read');
  const found = await visible(ctx, identity);
  const view = present(found.alert, found.events, found.notifications);
  return { ...view, Events: view.Events!, Notifications: view.Notifications!, auditEnabled: await ctx.store.auditEnabled() };
}

export async function setAlertStatus(ctx: AdminContext, identity: string, status: unknown): Promise<AlertDetail> {
  const Status = oneOf('Status', status, ALERT_STATUSES);
  authorize(ctx.actor, 'change');
  const { alert } = await visible(ctx, identity);
  const now = ctx.clock.now();
  await ctx.store.setAlertStatus(alert.id, Status, now, {
    at: now,
    tenantId: alert.tenantId,
    actor: ctx.actor,
    operation: 'Set-Alert',
    target: `Alert:${alert.id}`,
    before: { Status: alert.status },
    after: { Status },
    result: 'Succeeded',
  });
  return getAlert(ctx, alert.id);
}

/** An alert the caller may see: in its own tenant (or the one it asked for); others are 404, not 403. */
async function visible(ctx: AdminContext, identity: string): Promise<{ alert: StoredAlert; events: StoredAlertEvent[]; notifications: StoredNotification[] }> {
  const tenantId = tenantFilter(ctx, await ctx.store.loadDirectory());
  const found = /^[0-9a-f-]{36}$/i.test(identity.trim()) ? await ctx.store.getAlert(identity.trim().toLowerCase()) : undefined;
  if (!found || (tenantId !== undefined && found.alert.tenantId !== tenantId)) fail(Errors.NOT_FOUND, `No alert '${printable(identity)}'.`);
  return found;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function present(a: StoredAlert, events?: readonly StoredAlertEvent[], notifications?: readonly StoredNotification[]): AlertView {
  const view: AlertView = {
    Identity: a.id,
    PolicyIdentity: a.policyId,
    PolicyName: a.policyName,
    Severity: a.severity,
    Category: 'ThreatManagement',
    Status: a.status,
    EntityType: a.entityType,
    Entity: a.entity,
    Reason: a.reason,
    FirstEventAt: iso(a.firstEventAt)!,
    LastEventAt: iso(a.lastEventAt)!,
    EventCount: a.eventCount,
    TenantId: a.tenantId,
  };
  if (events) view.Events = events.map((e) => ({ At: iso(e.at)!, Operation: e.operation, Reason: e.reason }));
  if (notifications) {
    view.Notifications = notifications.map((n) => ({
      Channel: n.channel,
      Recipient: n.recipient,
      Status: n.status,
      Attempts: n.attempts,
      LastError: n.lastError,
      LastAttemptAt: iso(n.lastAttemptAt),
      SentAt: iso(n.sentAt),
    }));
  }
  return view;
}

function whole(field: string, v: unknown, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(Errors.OUT_OF_RANGE, `${field} must be a whole number from ${min} to ${max}.`);
  return n;
}
