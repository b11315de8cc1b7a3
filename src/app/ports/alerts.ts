// Port: alert policies, alerts, their notification outbox and webhooks.
import type { AlertPolicy, Severity } from '../../domain/alert-policy.js';
import type { AlertStatus, Channel, NotificationStatus } from '../../domain/alert.js';
import type { EntityType } from '../../domain/sender.js';
import type { AuditEntry, AuditRecord } from '../audit.js';

/** An alert as stored; times in ms since the epoch. */
export interface StoredAlert {
  readonly id: string;
  readonly tenantId: string;
  readonly policyId: string;
  readonly policyName: string;
  readonly severity: Severity;
  readonly status: AlertStatus;
  readonly entityType: EntityType;
  readonly entity: string;
  readonly reason: string;
  readonly firstEventAt: number;
  readonly lastEventAt: number;
  readonly eventCount: number;
  readonly changedAt: number;
}

export interface StoredAlertEvent {
  readonly alertId: string;
  readonly at: number;
  readonly operation: string;
  readonly reason: string;
  readonly auditSeq: number;
}

export interface StoredNotification {
  readonly id: string;
  readonly alertId: string;
  readonly channel: Channel;
  /** An email address, or the webhook's URL. */
  readonly recipient: string;
  readonly webhookId: string | null;
  readonly status: NotificationStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  readonly sentAt: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
}

export interface StoredWebhook {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly url: string;
  readonly secret: string;
  readonly enabled: boolean;
  readonly createdAt: number;
}

/**
 * What the alert engine made of the audit records after `fromSeq` up to `toSeq`, written in one
 * transaction only if the cursor is still at `fromSeq` (else another process got there first).
 */
export interface AlertBatch {
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly newAlerts: readonly StoredAlert[];
  /** Events joining alerts already stored (aggregation). */
  readonly joined: ReadonlyArray<{ alertId: string; at: number; reason: string }>;
  readonly events: readonly StoredAlertEvent[];
  readonly notifications: readonly StoredNotification[];
  /** Notifications counted against each policy's daily limit. */
  readonly counted: ReadonlyArray<{ tenantId: string; policyId: string; day: number; add: number }>;
}

export interface AlertQuery {
  tenantId?: string;
  status?: AlertStatus;
  severity?: Severity;
  entityType?: EntityType;
  search?: string;
  offset: number;
  limit: number;
}

/** Alert policies, alerts, their notification outbox and webhooks; every admin change is written with its audit entry. */
export interface AlertStore {
  /** Stored policies (custom ones, and built-in ones once changed) of a tenant, or of all tenants. */
  listAlertPolicies(tenantId?: string): Promise<AlertPolicy[]>;
  saveAlertPolicy(p: AlertPolicy, audit: AuditEntry): Promise<void>;
  removeAlertPolicy(tenantId: string, id: string, audit: AuditEntry): Promise<void>;

  alertCursor(): Promise<number>;
  /** Audit records after `seq`, oldest first. */
  auditAfter(seq: number, limit: number): Promise<AuditRecord[]>;
  /** The latest alert of a policy on an entity (the one a repeat event may join). */
  latestAlert(tenantId: string, policyId: string, entityType: EntityType, entity: string): Promise<StoredAlert | undefined>;
  notificationsCounted(tenantId: string, policyId: string, day: number): Promise<number>;
  /** Returns false, writing nothing, when the cursor is no longer at `fromSeq` or an alert to join was resolved meanwhile. */
  commitAlertBatch(b: AlertBatch): Promise<boolean>;

  listAlerts(q: AlertQuery): Promise<{ total: number; items: StoredAlert[] }>;
  getAlert(id: string): Promise<{ alert: StoredAlert; events: StoredAlertEvent[]; notifications: StoredNotification[] } | undefined>;
  setAlertStatus(id: string, status: AlertStatus, at: number, audit: AuditEntry): Promise<void>;

  listWebhooks(tenantId?: string): Promise<StoredWebhook[]>;
  saveWebhook(w: StoredWebhook, audit: AuditEntry): Promise<void>;
  removeWebhook(id: string, audit: AuditEntry): Promise<void>;

  /**
   * Claims up to `limit` pending notifications due at `now` (each hidden from other claimers for
   * `leaseMs`, so two processes never send the same one), with their alert and webhook.
   */
  claimNotifications(
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<Array<{ notification: StoredNotification; alert: StoredAlert; webhook: StoredWebhook | undefined }>>;
  /** Records the outcome of one delivery attempt. */
  finishNotification(n: StoredNotification): Promise<void>;
}
