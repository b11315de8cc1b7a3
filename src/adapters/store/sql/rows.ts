// Row ⇄ object mappers shared by both SQL stores (embedded SQLite and PostgreSQL): same tables, same
// column types (times in ms, flags 0/1), so a record reads back the same whichever backend holds it.
import type { AuditRecord } from '../../../app/audit.js';
import type { StoredAlert, StoredAlertEvent, StoredNotification, StoredSession, StoredWebhook } from '../../../app/ports.js';
import type { AdminAccount, ApiKey } from '../../../domain/account.js';
import type { AlertEvent, AlertPolicy, Severity } from '../../../domain/alert-policy.js';
import type { AlertStatus, Channel, NotificationStatus } from '../../../domain/alert.js';
import type { BlockAction, HistoryEntry, Restriction, RestrictionStatus, Transition } from '../../../domain/restriction.js';
import type { EntityType } from '../../../domain/sender.js';
import type {
  AdminAccountsTable,
  AlertEventsTable,
  AlertNotificationsTable,
  AlertPoliciesTable,
  AlertsTable,
  AlertWebhooksTable,
  ApiKeysTable,
  AuditLogTable,
  RestrictionHistoryTable,
  RestrictionsTable,
  WebSessionsTable,
} from './schema.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

// ─── Restrictions ───

export function restrictionRow(r: Restriction): RestrictionsTable {
  return {
    tenant_id: r.tenantId,
    entity_type: r.entityType,
    identity: r.identity,
    reason: r.reason,
    policy: r.policy,
    action: r.action,
    status: r.status,
    created_at: r.createdAt,
    changed_at: r.changedAt,
    expires_at: r.expiresAt,
  };
}

export function historyRow(t: Transition): Omit<RestrictionHistoryTable, 'id'> {
  const r = t.restriction;
  const h = t.history;
  return { tenant_id: r.tenantId, entity_type: r.entityType, identity: r.identity, at: h.at, event: h.event, actor: h.actor, reason: h.reason };
}

export function toRestriction(r: RestrictionsTable): Restriction {
  return {
    tenantId: r.tenant_id,
    entityType: r.entity_type as EntityType,
    identity: r.identity,
    reason: r.reason,
    policy: r.policy,
    action: r.action as BlockAction,
    status: r.status as RestrictionStatus,
    createdAt: r.created_at,
    changedAt: r.changed_at,
    expiresAt: r.expires_at,
  };
}

export const toHistoryEntry = (h: RestrictionHistoryTable): HistoryEntry => ({ at: h.at, event: h.event as HistoryEntry['event'], actor: h.actor, reason: h.reason });

// ─── Audit ───

export function auditRow(r: AuditRecord): AuditLogTable {
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

export function toAuditRecord(r: AuditLogTable): AuditRecord {
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

// ─── Accounts, API keys, sessions ───

export function toAccount(r: AdminAccountsTable): AdminAccount {
  return {
    Id: r.id,
    Name: r.name,
    DisplayName: r.display_name,
    Role: r.role,
    TenantId: r.tenant_id,
    Enabled: r.enabled === 1,
    Email: r.email,
    WhenCreatedUTC: iso(r.created_at),
    WhenChangedUTC: iso(r.changed_at),
  };
}

/** The account's row; `password_hash` is null here, the caller decides whether to write it. */
export function accountRow(a: AdminAccount, passwordHash: string | null | undefined): AdminAccountsTable {
  return {
    id: a.Id,
    name: a.Name,
    display_name: a.DisplayName,
    role: a.Role,
    tenant_id: a.TenantId,
    enabled: a.Enabled ? 1 : 0,
    email: a.Email,
    password_hash: passwordHash ?? null,
    created_at: Date.parse(a.WhenCreatedUTC),
    changed_at: Date.parse(a.WhenChangedUTC),
  };
}

export function toApiKey(r: ApiKeysTable): ApiKey {
  return { Id: r.id, AccountId: r.account_id, Name: r.name, WhenCreatedUTC: iso(r.created_at), LastUsedUTC: isoOrNull(r.last_used_at), RevokedUTC: isoOrNull(r.revoked_at) };
}

export function apiKeyRow(k: ApiKey, secretHash: string): ApiKeysTable {
  return { id: k.Id, account_id: k.AccountId, name: k.Name, secret_hash: secretHash, created_at: Date.parse(k.WhenCreatedUTC), last_used_at: null, revoked_at: null };
}

export function sessionRow(s: StoredSession): WebSessionsTable {
  return { id_hash: s.idHash, account_id: s.accountId, csrf_token: s.csrfToken, created_at: s.createdAt, last_seen_at: s.lastSeenAt, ip: s.ip };
}

export function toSession(r: WebSessionsTable): StoredSession {
  return { idHash: r.id_hash, accountId: r.account_id, csrfToken: r.csrf_token, createdAt: r.created_at, lastSeenAt: r.last_seen_at, ip: r.ip };
}

// ─── Alerts ───

export function alertPolicyRow(p: AlertPolicy): AlertPoliciesTable {
  return {
    tenant_id: p.TenantId,
    id: p.Identity,
    name: p.Name,
    event: p.Event,
    severity: p.Severity,
    description: p.Description,
    is_system: p.IsSystemRule ? 1 : 0,
    disabled: p.Disabled ? 1 : 0,
    notification_enabled: p.NotificationEnabled ? 1 : 0,
    notify_user: JSON.stringify(p.NotifyUser),
    daily_limit: p.DailyNotificationLimit,
    aggregation_minutes: p.AggregationMinutes,
    changed_at: Date.parse(p.WhenChanged),
  };
}

export function toAlertPolicy(r: AlertPoliciesTable): AlertPolicy {
  return {
    Identity: r.id,
    Name: r.name,
    Category: 'ThreatManagement',
    Severity: r.severity as Severity,
    Description: r.description,
    IsSystemRule: r.is_system === 1,
    Disabled: r.disabled === 1,
    Event: r.event as AlertEvent,
    NotificationEnabled: r.notification_enabled === 1,
    NotifyUser: JSON.parse(r.notify_user) as string[],
    DailyNotificationLimit: r.daily_limit,
    AggregationMinutes: r.aggregation_minutes,
    TenantId: r.tenant_id,
    WhenChanged: new Date(r.changed_at).toISOString(),
  };
}

export function alertRow(a: StoredAlert): AlertsTable {
  return {
    id: a.id,
    tenant_id: a.tenantId,
    policy_id: a.policyId,
    policy_name: a.policyName,
    severity: a.severity,
    status: a.status,
    entity_type: a.entityType,
    entity: a.entity,
    reason: a.reason,
    first_event_at: a.firstEventAt,
    last_event_at: a.lastEventAt,
    event_count: a.eventCount,
    changed_at: a.changedAt,
  };
}

export function toAlert(r: AlertsTable): StoredAlert {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    policyId: r.policy_id,
    policyName: r.policy_name,
    severity: r.severity as Severity,
    status: r.status as AlertStatus,
    entityType: r.entity_type as EntityType,
    entity: r.entity,
    reason: r.reason,
    firstEventAt: r.first_event_at,
    lastEventAt: r.last_event_at,
    eventCount: r.event_count,
    changedAt: r.changed_at,
  };
}

export const alertEventRow = (e: StoredAlertEvent): Omit<AlertEventsTable, 'id'> => ({ alert_id: e.alertId, at: e.at, operation: e.operation, reason: e.reason, audit_seq: e.auditSeq });

export const toAlertEvent = (e: AlertEventsTable): StoredAlertEvent => ({ alertId: e.alert_id, at: e.at, operation: e.operation, reason: e.reason, auditSeq: e.audit_seq });

export function notificationRow(n: StoredNotification): AlertNotificationsTable {
  return {
    id: n.id,
    alert_id: n.alertId,
    channel: n.channel,
    recipient: n.recipient,
    webhook_id: n.webhookId,
    status: n.status,
    attempts: n.attempts,
    next_attempt_at: n.nextAttemptAt,
    last_attempt_at: n.lastAttemptAt,
    sent_at: n.sentAt,
    last_error: n.lastError,
    created_at: n.createdAt,
  };
}

export function toNotification(r: AlertNotificationsTable): StoredNotification {
  return {
    id: r.id,
    alertId: r.alert_id,
    channel: r.channel as Channel,
    recipient: r.recipient,
    webhookId: r.webhook_id,
    status: r.status as NotificationStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    sentAt: r.sent_at,
    lastError: r.last_error,
    createdAt: r.created_at,
  };
}

export const webhookRow = (w: StoredWebhook): AlertWebhooksTable => ({ id: w.id, tenant_id: w.tenantId, name: w.name, url: w.url, secret: w.secret, enabled: w.enabled ? 1 : 0, created_at: w.createdAt });

export const toWebhook = (r: AlertWebhooksTable): StoredWebhook => ({ id: r.id, tenantId: r.tenant_id, name: r.name, url: r.url, secret: r.secret, enabled: r.enabled === 1, createdAt: r.created_at });
