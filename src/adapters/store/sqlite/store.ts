// The embedded store: implements the Store port on SQLite. In the server, admitted sends go through
// the send journal (durable before the answer, applied to SQLite in bulk by a worker thread) and WAL
// checkpoints run on another; restrictions and configuration are written in their own transactions.
import type { AuditQuery, Change, HourlyCount, StoredAccount, StoredApiKey, StoredSession, DirectorySnapshot, DirectoryWrite, RestrictionPageQuery, RestrictionQuery, RestrictionView, SignInLimit, Store } from '../../../app/ports.js';
import { SYSTEM, type DomainEvent } from '../../../domain/events.js';
import { EXPIRED_REASON, isActive, isExpired, release, type Restriction, type Transition } from '../../../domain/restriction.js';
import type { MinuteBucket } from '../../../domain/rolling-window.js';
import type { SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import { join } from 'node:path';
import { ChangeFeed } from './change-feed.js';
import { Checkpointer } from './checkpointer.js';
import { DB_FILE, SqliteDb, type SqliteOptions } from './database.js';
import { SendJournal, type JournalOptions } from './send-journal.js';
import { JournalApplier } from './journal-applier.js';
import { ActiveSendersThread } from './active-senders.js';
import { StoredSenders } from './stored-senders.js';
import { bumpRevision, loadDirectory, removeObject, revision, upsertObject } from './directory-repo.js';
import * as repo from './enforcement-repo.js';
import type { SendRecord } from './enforcement-repo.js';
import type { OnDemandWindows } from './sending-counters.js';
import * as audit from './audit-repo.js';
import * as accounts from './account-repo.js';
import * as sessions from './session-repo.js';
import * as alerts from './alert-repo.js';
import type { AlertPolicy } from '../../../domain/alert-policy.js';
import type { AlertStatus } from '../../../domain/alert.js';
import type { EntityType } from '../../../domain/sender.js';
import type { AlertBatch, AlertQuery, StoredAlert, StoredAlertEvent, StoredNotification, StoredWebhook } from '../../../app/ports.js';
import type { AdminAccount, ApiKey } from '../../../domain/account.js';
import { verifyChain, type AuditEntry, type AuditRecord, type IntegrityReport } from '../../../app/audit.js';

export class SqliteStore implements Store {
  readonly db: SqliteDb;
  private readonly feed: ChangeFeed;
  private journal: SendJournal | null = null;
  /** The sends of this event-loop turn, appended together; every caller waits on the one promise. */
  private batch: { records: SendRecord[]; done: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  private readonly listeners = new Set<(c: Change) => void>();
  private checkpointer: Checkpointer | null = null;
  private applier: JournalApplier | null = null;
  /** The batch out with the applier, settled (applied or handed back) before anything else applies. */
  private applying: Promise<void> | null = null;
  private lastPoll = 0;
  private readonly opts: SqliteOptions;
  /**
   * Operations whose last attempt failed (a full disk, a corrupt file): the store is not ready until
   * the same kind of operation succeeds again. A failed read of changes also fails every decision
   * (fail closed, through staleness()) until one succeeds: another process's restriction may be unseen.
   */
  private readonly failing = new Map<'journal append' | 'store write' | 'change read', OutgateError>();

  constructor(dataDir: string, opts: SqliteOptions = {}) {
    this.db = new SqliteDb(dataDir, opts);
    this.feed = new ChangeFeed(this.db);
    this.opts = opts;
  }

  /** For the long-running server: checkpoints move to a worker thread, off the hot path. */
  startBackgroundCheckpoints(onError: (message: string) => void, intervalMs = 200): void {
    this.db.raw.pragma('wal_autocheckpoint = 0');
    this.checkpointer = new Checkpointer(join(this.db.dataDir, DB_FILE), intervalMs, onError);
  }

  /**
   * Readiness: throws while decisions cannot be made (the last append, write or change read failed).
   * While failing it probes, so readiness comes back without waiting for traffic (which a load
   * balancer withholds from a server that is not ready): a one-row write (an unchanged row is not
   * written at all), which a full disk refuses, stands for the journal beside it too; a read of
   * changes for the change read.
   */
  async ping(): Promise<void> {
    if (this.failing.size > 0) {
      try {
        this.write(() => this.db.raw.prepare("INSERT INTO meta (key, value) VALUES ('ready_probe', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1").run());
        this.failing.delete('journal append');
        this.lastPoll = 0;
        this.pollChanges();
      } catch {
        // still failing: reported below
      }
    }
    for (const [operation, err] of this.failing) throw new OutgateError(Errors.STORE_UNAVAILABLE, `The last ${operation} failed: ${err.message}`);
    this.db.raw.prepare('SELECT value FROM meta LIMIT 1').get();
  }

  async loadDirectory(): Promise<DirectorySnapshot> {
    return loadDirectory(this.db);
  }

  async writeDirectory(w: DirectoryWrite): Promise<void> {
    this.write(() => {
      if (revision(this.db) !== w.revision) {
        throw new OutgateError(Errors.CONFLICT, 'The configuration changed while this change was being made; run it again.');
      }
      bumpRevision(this.db);
      for (const r of w.remove ?? []) removeObject(this.db, r.kind, r.id);
      for (const u of w.upsert ?? []) upsertObject(this.db, u.kind, u.object);
      repo.recordEvents(this.db, [w.event]);
      this.feed.note({ kind: 'directory' }, w.event.at);
    });
    this.emit([{ kind: 'directory' }]);
  }

  async loadWindows(sinceMinute: number): Promise<Iterable<{ sender: SenderRef; bucket: MinuteBucket }>> {
    return repo.loadWindows(this.db, sinceMinute);
  }

  /** Sends handed to recordSends so far: the counters wait for them to be applied before they forget a sender. */
  private queuedSends = 0;
  private summing: ActiveSendersThread | null = null;
  /** In the server: which senders the store may hold windows for (skips the point query for the rest). */
  private stored: StoredSenders | null = null;

  /** One sender's windows read on demand (a point query), so the counters need not hold every sender. */
  readonly onDemand: OnDemandWindows = {
    loadSender: (key, sender, sinceMinute) => (this.stored?.mightHave(key) === false ? [] : repo.loadSenderWindows(this.db, sender, sinceMinute)),
    forgot: (key) => this.stored?.add(key),
    sendsQueued: () => this.queuedSends,
    // Without the journal a send is in SQLite when recordSends returns.
    sendsApplied: () => (this.journal ? this.journal.appliedSeq : this.queuedSends),
    // The long-running server sums them on a worker thread, one sum at a time (a caller asking the
    // same while one runs shares it); a cmdlet has no Postfix to keep answering.
    activeSenders: (now, minLastHour) => {
      if (!this.applier) return Promise.resolve(repo.activeSenders(this.db, now, minLastHour));
      return (this.summing ??= new ActiveSendersThread(this.db.dataDir, this.opts)).sum(now, minLastHour);
    },
  };

  /**
   * Server mode: admitted sends go to the journal (one append each, durable before the answer) and
   * reach SQLite in bulk through applyJournal(). Replays what a previous run left unapplied.
   */
  openJournal(fsync: boolean, opts: JournalOptions = {}): void {
    this.journal = new SendJournal(this.db, this.db.dataDir, fsync, opts);
    this.applyJournal();
  }

  /** For the long-running server: journaled sends are applied by a worker thread (applyJournalInBackground). */
  startBackgroundApply(): void {
    this.applier = new JournalApplier(this.db.dataDir, this.opts);
  }

  /** For the long-running server: learns off-thread which senders the store holds windows for. */
  startSenderFilter(onError: (err: Error) => void): Promise<void> {
    this.stored ??= new StoredSenders(this.db.dataDir, this.opts, onError);
    return this.stored.firstBuild;
  }

  /**
   * Hands what is journaled to the applier worker, one batch at a time; applies on this thread when
   * there is no worker (or it died). Failures are reported to `onError`; the sends stay journaled.
   * Returns the batch's settlement when one went out (for tests and shutdown to wait on).
   */
  applyJournalInBackground(onError: (err: unknown) => void): Promise<void> | undefined {
    const journal = this.journal;
    if (!journal || this.applying) return this.applying ?? undefined;
    if (!this.applier?.alive) {
      this.applyJournal();
      return undefined;
    }
    const batch = journal.takeBatch();
    if (!batch) {
      journal.rotateIfLarge((fn) => this.write(fn));
      return undefined;
    }
    this.applying = this.applier.apply(batch).then(
      () => {
        journal.batchApplied(batch);
        this.failing.delete('store write'); // the worker wrote to the same file
      },
      (err: unknown) => {
        journal.batchFailed(batch);
        onError(err);
      },
    ).finally(() => {
      this.applying = null;
    });
    return this.applying;
  }

  recordSends(records: readonly SendRecord[], events: readonly DomainEvent[]): Promise<void> {
    this.queuedSends += records.length;
    if (this.journal) {
      if (events.length > 0) this.write(() => repo.recordEvents(this.db, events));
      // Group commit: the sends of one event-loop turn share one append; each answer waits for it.
      let batch = this.batch;
      if (batch === null) {
        let resolve!: () => void;
        let reject!: (e: unknown) => void;
        const done = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        batch = this.batch = { records: [], done, resolve, reject };
        setImmediate(() => this.appendBatch());
      }
      for (const r of records) batch.records.push(r);
      return batch.done;
    }
    this.write(() => {
      repo.recordSends(this.db, records);
      repo.recordEvents(this.db, events);
    });
    return Promise.resolve();
  }

  private appendBatch(): void {
    const batch = this.batch;
    this.batch = null;
    if (!batch || !this.journal) return;
    try {
      this.journal.append(batch.records, this.queuedSends);
    } catch (err) {
      const failure = new OutgateError(Errors.STORE_UNAVAILABLE, `The send journal failed: ${(err as Error).message}.`);
      this.failing.set('journal append', failure);
      batch.reject(failure);
      return;
    }
    this.failing.delete('journal append');
    batch.resolve();
  }

  /** Waits for the batch the applier worker holds, then applies the rest here: every acknowledged send is in SQLite after it. */
  async flushJournal(): Promise<void> {
    await this.applying?.catch(() => undefined);
    this.applyJournal();
  }

  /** Moves journaled sends into SQLite; sends from before a sender's window reset are left out. */
  applyJournal(): void {
    this.appendBatch();
    const journal = this.journal;
    if (!journal || journal.pendingCount === 0) return;
    journal.applyPending((fn) => this.write(fn));
    journal.rotateIfLarge((fn) => this.write(fn));
  }

  async applyTransition(t: Transition, opts: { from?: Restriction; resetWindows: boolean }): Promise<boolean> {
    const sender: SenderRef = { tenantId: t.restriction.tenantId, type: t.restriction.entityType, identity: t.restriction.identity };
    const applied = this.write(() => {
      const current = repo.getRestriction(this.db, sender);
      const allowed = t.restriction.status === 'Restricted' ? !isActive(current, t.history.at) : sameState(current, opts.from);
      if (!allowed) return false;
      if (t.restriction.status === 'Restricted' && current && isExpired(current, t.history.at)) {
        // Restricted again before the sweeper recorded the expiry: record it first, history stays exact.
        const expired = release(current, { how: 'Expired', actor: SYSTEM, reason: EXPIRED_REASON, now: t.history.at })!;
        repo.applyTransition(this.db, expired);
        repo.recordEvents(this.db, [expired.event]);
      }
      repo.applyTransition(this.db, t);
      repo.recordEvents(this.db, [t.event]);
      this.feed.note({ kind: 'restriction', sender }, t.history.at);
      if (opts.resetWindows) {
        repo.resetWindows(this.db, sender, t.history.at);
        this.feed.note({ kind: 'windows-reset', sender }, t.history.at);
      }
      return true;
    });
    if (!applied) return false;
    const changes: Change[] = [{ kind: 'restriction', sender, restriction: t.restriction }];
    if (opts.resetWindows) changes.push({ kind: 'windows-reset', sender });
    this.emit(changes);
    return true;
  }

  async recordEvents(events: readonly DomainEvent[]): Promise<void> {
    if (events.length > 0) this.write(() => repo.recordEvents(this.db, events));
  }

  async searchAudit(q: AuditQuery): Promise<AuditRecord[]> {
    return audit.searchAudit(this.db, q);
  }

  async verifyAudit(countTenant?: string): Promise<IntegrityReport> {
    // One read transaction: the records and the head are read as of the same moment.
    return this.db.raw.transaction(() => verifyChain(audit.allAuditRecords(this.db), audit.auditHead(this.db), countTenant)).deferred();
  }

  async auditEnabled(): Promise<boolean> {
    return audit.auditEnabled(this.db);
  }

  async setAuditEnabled(enabled: boolean, entries: readonly AuditEntry[]): Promise<void> {
    this.write(() => {
      audit.setAuditEnabled(this.db, enabled);
      audit.appendAudit(this.db, entries);
    });
  }

  async listAccounts(): Promise<AdminAccount[]> {
    return accounts.listAccounts(this.db);
  }

  async getAccount(nameOrId: string): Promise<StoredAccount | undefined> {
    return accounts.getAccount(this.db, nameOrId);
  }

  async saveAccount(a: AdminAccount, passwordHash: string | null | undefined, entry: AuditEntry): Promise<void> {
    this.write(() => {
      accounts.saveAccount(this.db, a, passwordHash);
      // A new password or a disabled account ends the account's portal sessions.
      if (passwordHash !== undefined || !a.Enabled) sessions.deleteSessionsOf(this.db, a.Id);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async removeAccount(id: string, entry: AuditEntry): Promise<void> {
    this.write(() => {
      accounts.removeAccount(this.db, id);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async saveApiKey(k: ApiKey, secretHash: string, entry: AuditEntry): Promise<void> {
    this.write(() => {
      accounts.saveApiKey(this.db, k, secretHash);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async listApiKeys(accountId?: string): Promise<ApiKey[]> {
    return accounts.listApiKeys(this.db, accountId);
  }

  async getApiKey(id: string): Promise<StoredApiKey | undefined> {
    return accounts.getApiKey(this.db, id);
  }

  async revokeApiKey(id: string, entry: AuditEntry): Promise<boolean> {
    return this.write(() => {
      const done = accounts.revokeApiKey(this.db, id, entry.at);
      if (done) audit.appendAudit(this.db, [entry]);
      return done;
    });
  }

  async touchApiKey(id: string, at: number): Promise<void> {
    this.write(() => accounts.touchApiKey(this.db, id, at));
  }

  async createSession(s: StoredSession, entry: AuditEntry): Promise<void> {
    this.write(() => {
      sessions.createSession(this.db, s);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async getSession(idHash: string): Promise<StoredSession | undefined> {
    return sessions.getSession(this.db, idHash);
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    this.write(() => sessions.touchSession(this.db, idHash, at));
  }

  async deleteSession(idHash: string, entry: AuditEntry): Promise<boolean> {
    return this.write(() => {
      const done = sessions.deleteSession(this.db, idHash);
      if (done) audit.appendAudit(this.db, [entry]);
      return done;
    });
  }

  async pruneSessions(sessionsSeenBefore: number, createdBefore: number, failuresBefore: number): Promise<void> {
    this.write(() => sessions.pruneSessions(this.db, sessionsSeenBefore, createdBefore, failuresBefore));
  }

  async reserveSignInAttempt(limits: readonly SignInLimit[], now: number): Promise<number> {
    return this.write(() => sessions.reserveSignInAttempt(this.db, limits, now));
  }

  async clearSignInFailures(key: string, at?: number): Promise<void> {
    this.write(() => sessions.clearSignInFailures(this.db, key, at));
  }

  async recordAudit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length > 0) this.write(() => audit.appendAudit(this.db, entries));
  }

  async listAlertPolicies(tenantId?: string): Promise<AlertPolicy[]> {
    return alerts.listAlertPolicies(this.db, tenantId);
  }

  async saveAlertPolicy(p: AlertPolicy, entry: AuditEntry): Promise<void> {
    this.write(() => {
      alerts.saveAlertPolicy(this.db, p);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async removeAlertPolicy(tenantId: string, id: string, entry: AuditEntry): Promise<void> {
    this.write(() => {
      alerts.removeAlertPolicy(this.db, tenantId, id);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async alertCursor(): Promise<number> {
    return alerts.alertCursor(this.db);
  }

  async auditAfter(seq: number, limit: number): Promise<AuditRecord[]> {
    return audit.auditAfter(this.db, seq, limit);
  }

  async latestAlert(tenantId: string, policyId: string, entityType: EntityType, entity: string): Promise<StoredAlert | undefined> {
    return alerts.latestAlert(this.db, tenantId, policyId, entityType, entity);
  }

  async notificationsCounted(tenantId: string, policyId: string, day: number): Promise<number> {
    return alerts.notificationsCounted(this.db, tenantId, policyId, day);
  }

  async commitAlertBatch(b: AlertBatch): Promise<boolean> {
    try {
      return this.write(() => alerts.commitAlertBatch(this.db, b));
    } catch (err) {
      if (err instanceof alerts.StaleBatch) return false;
      throw err;
    }
  }

  async listAlerts(q: AlertQuery): Promise<{ total: number; items: StoredAlert[] }> {
    return alerts.listAlerts(this.db, q);
  }

  async getAlert(id: string): Promise<{ alert: StoredAlert; events: StoredAlertEvent[]; notifications: StoredNotification[] } | undefined> {
    return alerts.getAlert(this.db, id);
  }

  async setAlertStatus(id: string, status: AlertStatus, at: number, entry: AuditEntry): Promise<void> {
    this.write(() => {
      alerts.setAlertStatus(this.db, id, status, at);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async listWebhooks(tenantId?: string): Promise<StoredWebhook[]> {
    return alerts.listWebhooks(this.db, tenantId);
  }

  async saveWebhook(w: StoredWebhook, entry: AuditEntry): Promise<void> {
    this.write(() => {
      alerts.saveWebhook(this.db, w);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async removeWebhook(id: string, entry: AuditEntry): Promise<void> {
    this.write(() => {
      alerts.removeWebhook(this.db, id);
      audit.appendAudit(this.db, [entry]);
    });
  }

  async claimNotifications(now: number, leaseMs: number, limit: number): Promise<Array<{ notification: StoredNotification; alert: StoredAlert; webhook: StoredWebhook | undefined }>> {
    // Looked for first without the write lock: twice a second, usually nothing is due.
    if (!alerts.anyDue(this.db, now)) return [];
    return this.write(() => alerts.claimNotifications(this.db, now, leaseMs, limit));
  }

  async finishNotification(n: StoredNotification): Promise<void> {
    this.write(() => alerts.finishNotification(this.db, n));
  }

  async sendingHistoryAll(fromHour: number, tenantId?: string): Promise<Array<{ sender: SenderRef; hours: HourlyCount[] }>> {
    return repo.sendingHistoryAll(this.db, fromHour, tenantId);
  }

  async sendingHistory(sender: SenderRef, fromHour: number): Promise<HourlyCount[]> {
    return repo.sendingHistory(this.db, sender, fromHour);
  }

  async getRestriction(sender: SenderRef): Promise<Restriction | undefined> {
    return repo.getRestriction(this.db, sender);
  }

  async listRestrictions(q: RestrictionQuery): Promise<RestrictionView[]> {
    return repo.listRestrictions(this.db, q);
  }

  async pageRestrictions(q: RestrictionPageQuery): Promise<{ total: number; items: RestrictionView[] }> {
    return repo.pageRestrictions(this.db, q);
  }

  async listExpired(now: number): Promise<Restriction[]> {
    return repo.listExpired(this.db, now);
  }

  subscribe(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pollChanges(): void {
    // At most every 5 ms: data_version is cheap but not free on the hot path, and no admin command
    // returns to its user (process exit, shell prompt) within 5 ms of its commit.
    const now = performance.now();
    if (now - this.lastPoll < 5) return;
    this.lastPoll = now;
    let changes: Change[];
    try {
      changes = this.feed.poll();
    } catch (err) {
      const failure = storeError(err);
      if (failure instanceof OutgateError && failure.code === Errors.STORE_UNAVAILABLE.code) this.failing.set('change read', failure);
      throw failure;
    }
    if (this.failing.size > 0) this.failing.delete('change read');
    this.emit(changes);
  }

  /** While other processes' changes cannot be read, the failure: decisions then fail closed (see ChangeFeed). */
  staleness(): Error | undefined {
    return this.failing.size > 0 ? this.failing.get('change read') : undefined;
  }

  private emit(changes: readonly Change[]): void {
    for (const c of changes) for (const l of this.listeners) l(c);
  }

  /** Housekeeping: minute buckets past the day window, hourly history past `keepHours`. */
  prune(now: number, keepHours = 24 * 8): void {
    this.write(() => repo.pruneWindows(this.db, Math.floor(now / 60_000) - 1440, Math.floor(now / 3_600_000) - keepHours));
  }

  async close(): Promise<void> {
    // A sum of every sender can take seconds: a stopping server does not wait for it.
    await this.summing?.stop();
    this.stored?.stop();
    await this.applying;
    await this.applier?.stop();
    this.appendBatch();
    this.applyJournal();
    this.journal?.close();
    await this.checkpointer?.stop();
    this.db.close();
  }

  /** One IMMEDIATE transaction; SQLite's own failures become the catalogue's store errors. */
  private write<T>(fn: () => T): T {
    let result: T;
    try {
      result = this.db.tx(fn);
    } catch (err) {
      const failure = storeError(err);
      // Busy and constraint errors say nothing about the store's health; a full or corrupt file does.
      if (failure instanceof OutgateError && failure.code === Errors.STORE_UNAVAILABLE.code) this.failing.set('store write', failure);
      throw failure;
    }
    if (this.failing.size > 0) this.failing.delete('store write');
    return result;
  }
}

/** Optimistic concurrency: the row is as the caller read it (same status, same last change). */
function sameState(a: Restriction | undefined, b: Restriction | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.status === b.status && a.changedAt === b.changedAt;
}

function storeError(err: unknown): unknown {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_CONSTRAINT')) return new OutgateError(Errors.ALREADY_EXISTS, 'An object with that name or address already exists.');
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new OutgateError(Errors.STORE_LOCKED, 'The store is busy; try again.');
  if (code.startsWith('SQLITE_')) return new OutgateError(Errors.STORE_UNAVAILABLE, `The store failed: ${(err as Error).message}.`);
  return err;
}
