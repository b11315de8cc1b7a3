// Alerts (docs/spec.md §5): which audit records raise which kind of alert, how repeat events join the open
// alert (aggregation), the daily notification limit, and how a failed notification is retried.
import { isEntityType, type EntityType } from './sender.js';
import type { AlertEvent } from './alert-policy.js';

export const ALERT_STATUSES = ['New', 'InProgress', 'Resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const NOTIFICATION_STATUSES = ['Pending', 'Sent', 'Failed', 'Suppressed', 'Undeliverable'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
export type Channel = 'email' | 'webhook';

/** What an audit record says happened, when it is something an alert policy watches. */
export interface Trigger {
  readonly event: AlertEvent;
  readonly entityType: EntityType;
  readonly entity: string;
  readonly reason: string;
  /** Another policy whose recipients are told of this alert too (its email, not an alert of its own). */
  readonly alsoNotify?: AlertEvent;
}

/** The audit operations that raise alerts, and the kind each raises. */
export function triggerOf(operation: string, target: string, after: unknown): Trigger | null {
  const sep = target.indexOf(':');
  const type = target.slice(0, sep);
  if (sep <= 0 || !isEntityType(type)) return null;
  const entityType: EntityType = type;
  const entity = target.slice(sep + 1);
  const a = after !== null && typeof after === 'object' ? (after as Record<string, unknown>) : {};
  const reason = typeof a.Reason === 'string' ? a.Reason : '';
  switch (operation) {
    case 'SenderRestricted':
      return { event: entityType === 'Connector' ? 'ConnectorRestricted' : entityType === 'Tenant' ? 'TenantRestricted' : 'UserRestricted', entityType, entity, reason };
    case 'SendingLimitExceeded':
      // The policy's Alert action: "For all actions, the senders specified in the User restricted from
      // sending email alert policy receive email notifications" (docs/spec.md §3).
      return { event: 'SendingLimitExceeded', entityType, entity, reason, ...(entityType === 'Mailbox' ? { alsoNotify: 'UserRestricted' as const } : {}) };
    case 'ServiceLimitReached':
      return { event: 'SendingLimitExceeded', entityType, entity, reason };
    case 'SuspiciousSending':
      return { event: entityType === 'Tenant' ? 'SuspiciousTenantSending' : 'SuspiciousSending', entityType, entity, reason };
    case 'SuspiciousForwarding':
      return { event: 'SuspiciousForwarding', entityType, entity, reason };
    default:
      return null;
  }
}

/**
 * AP: "repeat events within the interval join the existing alert". The interval runs from the alert's
 * first event, so a sender restricted again an hour later gets a new alert; a resolved alert takes no more.
 */
export function joinsAlert(open: { status: AlertStatus; firstEventAt: number }, at: number, aggregationMinutes: number): boolean {
  return open.status !== 'Resolved' && at - open.firstEventAt < aggregationMinutes * 60_000;
}

/** The UTC day a notification counts against (the limit is per policy per day). */
export const utcDay = (at: number): number => Math.floor(at / 86_400_000);

export function withinDailyLimit(sentToday: number, limit: number | null): boolean {
  return limit === null || sentToday < limit;
}

/** A notification that could not be delivered is tried again: 15 s, 30 s, 1 min, … at most an hour apart. */
export function retryDelayMs(attempts: number, baseMs = 15_000, maxMs = 3_600_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** After this many attempts (about two days at the default backoff) a notification is given up as Failed, still listed. */
export const MAX_ATTEMPTS = 60;
