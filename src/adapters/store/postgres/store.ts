// The PostgreSQL store: implements the Store port with every durable aggregate in one database shared
// by all nodes. Each write is one transaction with its audit record and its change_log row; races
// between nodes are settled by row locks, conditional updates and advisory locks, never by timing.
import type { AlertBatch, AlertQuery, AuditQuery, Change, DirectorySnapshot, DirectoryWrite, HourlyCount, RestrictionPageQuery, RestrictionQuery, RestrictionView, SignInLimit, Store, StoredAccount, StoredAlert, StoredAlertEvent, StoredApiKey, StoredNotification, StoredSession, StoredWebhook } from '../../../app/ports.js';
import { auditEntryOf, type AuditEntry, type AuditRecord, type IntegrityReport } from '../../../app/audit.js';
import type { AdminAccount, ApiKey } from '../../../domain/account.js';
import type { AlertPolicy } from '../../../domain/alert-policy.js';
import type { AlertStatus } from '../../../domain/alert.js';
import { SYSTEM, type DomainEvent } from '../../../domain/events.js';
import { EXPIRED_REASON, isActive, isExpired, release, type Restriction, type Transition } from '../../../domain/restriction.js';
import { DAY_MINUTES, type MinuteBucket } from '../../../domain/rolling-window.js';
import type { EntityType, SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import * as accounts from './account-repo.js';
import * as alerts from './alert-repo.js';
import * as audit from './audit-repo.js';
import { PgChangeFeed } from './change-feed.js';
import { GroupCommit } from './group-commit.js';
import type { PgDb, Tx } from './database.js';
import * as directory from './directory-repo.js';
import * as repo from './enforcement-repo.js';

export class PostgresStore implements Store {
  readonly feed: PgChangeFeed;
  private readonly listeners = new Set<(c: Change) => void>();
  /** Messages' sends and their events, one transaction for all that arrive while one is written. */
  private readonly sends = new GroupCommit<{ records: readonly repo.SendRecord[]; events: readonly DomainEvent[] }>((batch) => {
    const records = batch.flatMap((b) => b.records);
    const events = batch.flatMap((b) => b.events);
    // Most batches have no event: their one statement needs no transaction around it.
    if (events.length === 0) return this.db.read((q) => repo.recordSends(q, records));
    return this.db.tx(async (trx) => {
      await repo.recordSends(trx, records);
      await audit.appendAudit(trx, (await audit.pastCooldown(trx, events)).map(auditEntryOf));
    });
  });

  /**
   * `resetCounters`: windows kept outside this database (Redis) that an unblock restarting them must
   * restart too; called once, by the process that makes the unblock (the others follow the feed).
   */
  constructor(
    readonly db: PgDb,
    private readonly resetCounters?: (sender: SenderRef) => Promise<void>,
  ) {
    this.feed = new PgChangeFeed(db);
  }

  async ping(): Promise<void> {
    await this.db.read((q) => q.selectFrom('meta').select('value').limit(1).execute());
  }

  // ─── Directory ───

  loadDirectory(): Promise<DirectorySnapshot> {
    return this.db.read((q) => directory.loadDirectory(q));
  }

  async writeDirectory(w: DirectoryWrite): Promise<void> {
    await this.db.tx(async (trx) => {
      if (!(await directory.bumpRevision(trx, w.revision))) {
        throw new OutgateError(Errors.CONFLICT, 'The configuration changed while this change was being made; run it again.');
      }
      for (const r of w.remove ?? []) await directory.removeObject(trx, r.kind, r.id);
      for (const u of w.upsert ?? []) await directory.upsertObject(trx, u.kind, u.object);
      await audit.appendAudit(trx, [auditEntryOf(w.event)]);
      await this.feed.note(trx, { kind: 'directory' }, w.event.at);
    });
    this.emit([{ kind: 'directory' }]);
  }

  // ─── Restrictions and sending history ───

  async applyTransition(t: Transition, opts: { from?: Restriction; resetWindows: boolean }): Promise<boolean> {
    const sender: SenderRef = { tenantId: t.restriction.tenantId, type: t.restriction.entityType, identity: t.restriction.identity };
    const applied = await this.db.tx(async (trx) => {
      await repo.lockSender(trx, sender);
      const current = await repo.getRestriction(trx, sender);
      const allowed = t.restriction.status === 'Restricted' ? !isActive(current, t.history.at) : sameState(current, opts.from);
      if (!allowed) return false;
      if (t.restriction.status === 'Restricted' && current && isExpired(current, t.history.at)) {
        // Restricted again before the sweeper recorded the expiry: record it first, history stays exact.
        const expired = release(current, { how: 'Expired', actor: SYSTEM, reason: EXPIRED_REASON, now: t.history.at })!;
        await repo.applyTransition(trx, expired);
        await audit.appendAudit(trx, [auditEntryOf(expired.event)]);
      }
      await repo.applyTransition(trx, t);
      await audit.appendAudit(trx, [auditEntryOf(t.event)]);
      if (opts.resetWindows) await repo.resetWindows(trx, sender, t.history.at);
      await this.feed.note(trx, { kind: 'restriction', sender }, t.history.at);
      if (opts.resetWindows) await this.feed.note(trx, { kind: 'windows-reset', sender }, t.history.at);
      // Last, before the commit: if Redis fails the unblock rolls back and its caller sees the failure,
      // rather than a sender unblocked with full windows that restrict it again at its next message.
      if (opts.resetWindows && this.resetCounters) await this.resetCounters(sender);
      return true;
    });
    if (!applied) return false;
    const changes: Change[] = [{ kind: 'restriction', sender, restriction: t.restriction }];
    if (opts.resetWindows) changes.push({ kind: 'windows-reset', sender });
    this.emit(changes);
    return true;
  }

  getRestriction(sender: SenderRef): Promise<Restriction | undefined> {
    return this.db.read((q) => repo.getRestriction(q, sender));
  }

  listRestrictions(q: RestrictionQuery): Promise<RestrictionView[]> {
    return this.db.read((x) => repo.listRestrictions(x, q));
  }

  pageRestrictions(q: RestrictionPageQuery): Promise<{ total: number; items: RestrictionView[] }> {
    return this.db.read((x) => repo.pageRestrictions(x, q));
  }

  listExpired(now: number): Promise<Restriction[]> {
    return this.db.read((q) => repo.listExpired(q, now));
  }

  sendingHistory(sender: SenderRef, fromHour: number): Promise<HourlyCount[]> {
    return this.db.read((q) => repo.sendingHistory(q, sender, fromHour));
  }

  sendingHistoryAll(fromHour: number, tenantId?: string): Promise<Array<{ sender: SenderRef; hours: HourlyCount[] }>> {
    return this.db.read((q) => repo.sendingHistoryAll(q, fromHour, tenantId));
  }

  /** Admitted sends with the events they raised, in one transaction: durable when it resolves. */
  /** Durable when it resolves; written in one transaction with the sends of this node's other messages meanwhile. */
  recordSends(records: readonly repo.SendRecord[], events: readonly DomainEvent[]): Promise<void> {
    return this.sends.add({ records, events });
  }


  loadWindows(sinceMinute: number): Promise<Iterable<{ sender: SenderRef; bucket: MinuteBucket }>> {
    return this.db.read((q) => repo.loadWindows(q, sinceMinute));
  }

  /** Housekeeping: minute buckets past the day window, hourly history past `keepHours`, old change_log rows. */
  async prune(now: number, keepHours = 24 * 8): Promise<void> {
    await this.db.tx(async (trx) => {
      await repo.pruneWindows(trx, Math.floor(now / 60_000) - DAY_MINUTES, Math.floor(now / 3_600_000) - keepHours);
      // Kept a whole day window: a node that missed a pruned windows-reset resyncs its restrictions
      // only (ChangeFeed 'resync'), and needs nothing more, as the sends that reset cleared are older
      // than the day window by then.
      await this.feed.prune(trx, now - DAY_MINUTES * 60_000);
      await trx.deleteFrom('event_cooldowns').where('at', '<', now - 86_400_000).execute();
    });
  }

  // ─── Audit ───

  async recordEvents(events: readonly DomainEvent[]): Promise<void> {
    if (events.length > 0) await this.db.tx(async (trx) => audit.appendAudit(trx, (await audit.pastCooldown(trx, events)).map(auditEntryOf)));
  }

  async recordAudit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length > 0) await this.db.tx((trx) => audit.appendAudit(trx, entries));
  }

  searchAudit(q: AuditQuery): Promise<AuditRecord[]> {
    return this.db.read((x) => audit.searchAudit(x, q));
  }

  verifyAudit(countTenant?: string): Promise<IntegrityReport> {
    return this.db.read(() => audit.verifyAudit(this.db, countTenant));
  }

  auditEnabled(): Promise<boolean> {
    return this.db.read((q) => audit.auditEnabled(q));
  }

  async setAuditEnabled(enabled: boolean, entries: readonly AuditEntry[]): Promise<void> {
    await this.db.tx((trx) => audit.setAuditEnabled(trx, enabled, entries));
  }

  // ─── Accounts, API keys, sessions ───

  listAccounts(): Promise<AdminAccount[]> {
    return this.db.read((q) => accounts.listAccounts(q));
  }

  getAccount(nameOrId: string): Promise<StoredAccount | undefined> {
    return this.db.read((q) => accounts.getAccount(q, nameOrId));
  }

  async saveAccount(a: AdminAccount, passwordHash: string | null | undefined, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await accounts.saveAccount(trx, a, passwordHash);
      // A new password or a disabled account ends the account's portal sessions.
      if (passwordHash !== undefined || !a.Enabled) await accounts.deleteSessionsOf(trx, a.Id);
      return true;
    });
  }

  async removeAccount(id: string, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await accounts.removeAccount(trx, id);
      return true;
    });
  }

  async saveApiKey(k: ApiKey, secretHash: string, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await accounts.saveApiKey(trx, k, secretHash);
      return true;
    });
  }

  listApiKeys(accountId?: string): Promise<ApiKey[]> {
    return this.db.read((q) => accounts.listApiKeys(q, accountId));
  }

  getApiKey(id: string): Promise<StoredApiKey | undefined> {
    return this.db.read((q) => accounts.getApiKey(q, id));
  }

  revokeApiKey(id: string, entry: AuditEntry): Promise<boolean> {
    return this.audited(entry, (trx) => accounts.revokeApiKey(trx, id, entry.at));
  }

  touchApiKey(id: string, at: number): Promise<void> {
    return this.db.read((q) => accounts.touchApiKey(q, id, at));
  }

  async createSession(s: StoredSession, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await accounts.createSession(trx, s);
      return true;
    });
  }

  getSession(idHash: string): Promise<StoredSession | undefined> {
    return this.db.read((q) => accounts.getSession(q, idHash));
  }

  touchSession(idHash: string, at: number): Promise<void> {
    return this.db.read((q) => accounts.touchSession(q, idHash, at));
  }

  deleteSession(idHash: string, entry: AuditEntry): Promise<boolean> {
    return this.audited(entry, (trx) => accounts.deleteSession(trx, idHash));
  }

  async pruneSessions(sessionsSeenBefore: number, createdBefore: number, failuresBefore: number): Promise<void> {
    await this.db.tx((trx) => accounts.pruneSessions(trx, sessionsSeenBefore, createdBefore, failuresBefore));
  }

  reserveSignInAttempt(limits: readonly SignInLimit[], now: number): Promise<number> {
    return this.db.tx((trx) => accounts.reserveSignInAttempt(trx, limits, now));
  }

  clearSignInFailures(key: string, at?: number): Promise<void> {
    return this.db.read((q) => accounts.clearSignInFailures(q, key, at));
  }

  // ─── Alerts ───

  listAlertPolicies(tenantId?: string): Promise<AlertPolicy[]> {
    return this.db.read((q) => alerts.listAlertPolicies(q, tenantId));
  }

  async saveAlertPolicy(p: AlertPolicy, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await alerts.saveAlertPolicy(trx, p);
      return true;
    });
  }

  async removeAlertPolicy(tenantId: string, id: string, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await alerts.removeAlertPolicy(trx, tenantId, id);
      return true;
    });
  }

  alertCursor(): Promise<number> {
    return this.db.read((q) => alerts.alertCursor(q));
  }

  auditAfter(seq: number, limit: number): Promise<AuditRecord[]> {
    return this.db.read((q) => audit.auditAfter(q, seq, limit));
  }

  latestAlert(tenantId: string, policyId: string, entityType: EntityType, entity: string): Promise<StoredAlert | undefined> {
    return this.db.read((q) => alerts.latestAlert(q, tenantId, policyId, entityType, entity));
  }

  notificationsCounted(tenantId: string, policyId: string, day: number): Promise<number> {
    return this.db.read((q) => alerts.notificationsCounted(q, tenantId, policyId, day));
  }

  async commitAlertBatch(b: AlertBatch): Promise<boolean> {
    try {
      return await this.db.tx((trx) => alerts.commitAlertBatch(trx, b));
    } catch (err) {
      if (err instanceof alerts.StaleBatch) return false;
      throw err;
    }
  }

  listAlerts(q: AlertQuery): Promise<{ total: number; items: StoredAlert[] }> {
    return this.db.read((x) => alerts.listAlerts(x, q));
  }

  getAlert(id: string): Promise<{ alert: StoredAlert; events: StoredAlertEvent[]; notifications: StoredNotification[] } | undefined> {
    return this.db.read((q) => alerts.getAlert(q, id));
  }

  async setAlertStatus(id: string, status: AlertStatus, at: number, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await alerts.setAlertStatus(trx, id, status, at);
      return true;
    });
  }

  listWebhooks(tenantId?: string): Promise<StoredWebhook[]> {
    return this.db.read((q) => alerts.listWebhooks(q, tenantId));
  }

  async saveWebhook(w: StoredWebhook, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await alerts.saveWebhook(trx, w);
      return true;
    });
  }

  async removeWebhook(id: string, entry: AuditEntry): Promise<void> {
    await this.audited(entry, async (trx) => {
      await alerts.removeWebhook(trx, id);
      return true;
    });
  }

  claimNotifications(now: number, leaseMs: number, limit: number): Promise<Array<{ notification: StoredNotification; alert: StoredAlert; webhook: StoredWebhook | undefined }>> {
    return this.db.tx((trx) => alerts.claimNotifications(trx, now, leaseMs, limit));
  }

  finishNotification(n: StoredNotification): Promise<void> {
    return this.db.read((q) => alerts.finishNotification(q, n));
  }

  // ─── Changes ───

  subscribe(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** While other nodes' changes cannot be read, the failure: decisions fail closed (ChangeFeed). */
  staleness(): Error | undefined {
    return this.feed.staleness();
  }

  /** Other nodes' changes, from the feed's listener. */
  emit(changes: readonly Change[]): void {
    for (const c of changes) for (const l of this.listeners) l(c);
  }

  async close(): Promise<void> {
    await this.feed.close();
    await this.db.close();
  }

  /** One transaction: the change, and its audit entry only when the change happened. */
  private audited(entry: AuditEntry, fn: (trx: Tx) => Promise<boolean>): Promise<boolean> {
    return this.db.tx(async (trx) => {
      const done = await fn(trx);
      if (done) await audit.appendAudit(trx, [entry]);
      return done;
    });
  }
}

/** Optimistic concurrency: the row is as the caller read it (same status, same last change). */
function sameState(a: Restriction | undefined, b: Restriction | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.status === b.status && a.changedAt === b.changedAt;
}
