// What the use cases need from the outside world. The embedded store (SQLite) implements all of it;
// the scale-out store implements the same ports.
import type { AdminAccount, ApiKey } from '../domain/account.js';
import type { AlertPolicy, Severity } from '../domain/alert-policy.js';
import type { AlertStatus, Channel, NotificationStatus } from '../domain/alert.js';
import type { EntityType } from '../domain/sender.js';
import type { DomainEvent } from '../domain/events.js';
import type { AuditEntry, AuditRecord, IntegrityReport } from './audit.js';
import type { OutboundSpamPolicy } from '../domain/policy.js';
import type { HistoryEntry, Restriction, Transition } from '../domain/restriction.js';
import type { Counts, MinuteBucket } from '../domain/rolling-window.js';
import type { OutboundSpamRule } from '../domain/rule.js';
import type { SenderRef } from '../domain/sender.js';
import type { AcceptedDomain, DistributionGroup, InboundConnector, Tenant } from '../domain/tenant.js';

/** Everything a decision needs to know about configuration, loaded whole (it is small). */
export interface DirectorySnapshot {
  /** Bumped by every directory write; a write based on an older revision is refused (CONFLICT). */
  readonly revision: number;
  readonly tenants: readonly Tenant[];
  readonly domains: readonly AcceptedDomain[];
  readonly policies: readonly OutboundSpamPolicy[];
  readonly rules: readonly OutboundSpamRule[];
  readonly connectors: readonly InboundConnector[];
  readonly groups: readonly DistributionGroup[];
}

export type DirectoryKind = 'tenant' | 'domain' | 'policy' | 'rule' | 'connector' | 'group';
export type DirectoryObject = Tenant | AcceptedDomain | OutboundSpamPolicy | OutboundSpamRule | InboundConnector | DistributionGroup;

/** A change to write in one transaction with its audit event. */
export interface DirectoryWrite {
  /** The revision the change was computed from. */
  readonly revision: number;
  readonly upsert?: ReadonlyArray<{ kind: DirectoryKind; object: DirectoryObject }>;
  readonly remove?: ReadonlyArray<{ kind: DirectoryKind; id: string }>;
  readonly event: DomainEvent;
}

export interface SendRecord {
  readonly sender: SenderRef;
  readonly at: number;
  readonly counts: Counts;
}

/** A change made by another process (the CLI on the same store), so caches can follow it. */
export type Change =
  | { kind: 'directory' }
  /** `restriction` is the new state when the change was made in this process; else read it again. */
  | { kind: 'restriction'; sender: SenderRef; restriction?: Restriction }
  | { kind: 'windows-reset'; sender: SenderRef };

export interface HourlyCount {
  /** Hours since the epoch. */
  readonly hour: number;
  readonly external: number;
  readonly internal: number;
  readonly messages: number;
}

export interface RestrictionView extends Restriction {
  readonly history: readonly HistoryEntry[];
}

export interface RestrictionQuery {
  tenantId?: string;
  entityType?: 'Mailbox' | 'Connector';
  identity?: string;
  /** Only those restricted now (status Restricted and not expired). */
  activeAt?: number;
}

export interface AuditQuery {
  tenantId?: string;
  /** ms since the epoch, inclusive. */
  from?: number;
  /** ms since the epoch, exclusive. */
  to?: number;
  operations?: readonly string[];
  actors?: readonly string[];
  targets?: readonly string[];
  limit?: number;
}

export interface StoredAccount {
  readonly account: AdminAccount;
  readonly passwordHash: string | null;
}

export interface StoredApiKey {
  readonly key: ApiKey;
  readonly secretHash: string;
}

/** Admin accounts and API keys; every change is written with its audit entry. */
export interface AccountStore {
  listAccounts(): Promise<AdminAccount[]>;
  getAccount(nameOrId: string): Promise<StoredAccount | undefined>;
  /** `passwordHash` undefined keeps the stored hash. */
  saveAccount(a: AdminAccount, passwordHash: string | null | undefined, audit: AuditEntry): Promise<void>;
  removeAccount(id: string, audit: AuditEntry): Promise<void>;
  saveApiKey(k: ApiKey, secretHash: string, audit: AuditEntry): Promise<void>;
  listApiKeys(accountId?: string): Promise<ApiKey[]>;
  getApiKey(id: string): Promise<StoredApiKey | undefined>;
  revokeApiKey(id: string, audit: AuditEntry): Promise<boolean>;
  touchApiKey(id: string, at: number): Promise<void>;
  /** Audit entries that belong to no other change (sign-ins). */
  recordAudit(entries: readonly AuditEntry[]): Promise<void>;
}

/** A portal session; the store keeps only a hash of the cookie's secret. */
export interface StoredSession {
  readonly idHash: string;
  readonly accountId: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly ip: string | null;
}

/** A throttle key (account name, source address) and its rule. */
export interface SignInLimit {
  readonly key: string;
  readonly max: number;
  readonly windowMs: number;
}

/** Portal sessions and failed sign-ins, shared by every process on the store (throttling holds across them). */
export interface SessionStore {
  createSession(s: StoredSession, audit: AuditEntry): Promise<void>;
  getSession(idHash: string): Promise<StoredSession | undefined>;
  touchSession(idHash: string, at: number): Promise<void>;
  /** Returns false when there was no such session (already signed out). */
  deleteSession(idHash: string, audit: AuditEntry): Promise<boolean>;
  pruneSessions(sessionsSeenBefore: number, createdBefore: number, failuresBefore: number): Promise<void>;
  /**
   * Counts a sign-in attempt against every key before its password is checked, in one transaction that
   * also decides: when any key is over its limit nothing is counted and the wait (ms) is returned, else
   * the attempt is counted as a failure under every key and 0 returned. N parallel attempts thus check
   * at most `max` passwords.
   */
  reserveSignInAttempt(limits: readonly SignInLimit[], now: number): Promise<number>;
  /** Forgets a key's failures: all of them, or only the one attempt reserved at `at`. */
  clearSignInFailures(key: string, at?: number): Promise<void>;
}

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
  claimNotifications(now: number, leaseMs: number, limit: number): Promise<Array<{ notification: StoredNotification; alert: StoredAlert; webhook: StoredWebhook | undefined }>>;
  /** Records the outcome of one delivery attempt. */
  finishNotification(n: StoredNotification): Promise<void>;
}

export interface Store extends AccountStore, SessionStore, AlertStore {
  /** Resolves when the store can serve a read; rejects with the reason otherwise. */
  ping(): Promise<void>;
  loadDirectory(): Promise<DirectorySnapshot>;
  writeDirectory(w: DirectoryWrite): Promise<void>;

  loadWindows(sinceMinute: number): Promise<Iterable<{ sender: SenderRef; bucket: MinuteBucket }>>;
  /** Durably counts admitted messages (and events) in one transaction. */
  recordSends(records: readonly SendRecord[], events: readonly DomainEvent[]): Promise<void>;
  /**
   * Durably applies a restriction transition. A restriction applies only while the sender is not
   * restricted at that moment; a release only while the stored state is still `from` (what the caller
   * read). Otherwise nothing is written and it returns false: a concurrent action got there first.
   * `resetWindows` clears the sender's sending windows in the same transaction.
   */
  applyTransition(t: Transition, opts: { from?: Restriction; resetWindows: boolean }): Promise<boolean>;
  recordEvents(events: readonly DomainEvent[]): Promise<void>;

  searchAudit(q: AuditQuery): Promise<AuditRecord[]>;
  /** Verifies the whole audit chain; `records` counts only `countTenant`'s records when given. */
  verifyAudit(countTenant?: string): Promise<IntegrityReport>;
  auditEnabled(): Promise<boolean>;
  /** Turns auditing on or off, recording the switch (always, even when turning it off; one entry per tenant). */
  setAuditEnabled(enabled: boolean, entries: readonly AuditEntry[]): Promise<void>;

  getRestriction(sender: SenderRef): Promise<Restriction | undefined>;
  /** Recipients and messages per hour since `fromHour`, for reports. */
  sendingHistory(sender: SenderRef, fromHour: number): Promise<HourlyCount[]>;
  /** Every sender's hourly counts since `fromHour`, optionally of one tenant (policy what-if). */
  sendingHistoryAll(fromHour: number, tenantId?: string): Promise<Array<{ sender: SenderRef; hours: HourlyCount[] }>>;
  listRestrictions(q: RestrictionQuery): Promise<RestrictionView[]>;
  /** Restrictions whose BlockUserForToday time ran out but are still recorded as Restricted. */
  listExpired(now: number): Promise<Restriction[]>;

  /** Tells `listener` of every change: at once for this process's writes, on pollChanges() for others'. */
  subscribe(listener: (c: Change) => void): () => void;
  /** Looks for changes committed by other processes (cheap when there are none). */
  pollChanges(): void;
  close(): Promise<void>;
}

/** Delivers notifications; a failure throws (with `permanent: true` when trying again cannot help). */
export interface Notifier {
  sendEmail(to: string, message: { subject: string; text: string; html: string }): Promise<void>;
  /** Posts `body` signed with `secret`; `now` is the signature's timestamp. */
  postWebhook(url: string, secret: string, body: string, now: number): Promise<void>;
}

export interface Clock {
  now(): number;
}
