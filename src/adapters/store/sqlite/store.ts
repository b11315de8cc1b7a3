// The embedded store: implements the Store port on SQLite. Admitted sends are group-committed: all
// records that arrive in one turn of the event loop share one transaction, and each caller's promise
// settles only after that commit, so nothing is acknowledged before it is durable.
import type { Change, DirectorySnapshot, DirectoryWrite, RestrictionQuery, RestrictionView, SendRecord, Store } from '../../../app/ports.js';
import type { DomainEvent } from '../../../domain/events.js';
import { EXPIRED_REASON, isActive, isExpired, release, type Restriction, type Transition } from '../../../domain/restriction.js';
import type { MinuteBucket } from '../../../domain/rolling-window.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import { ChangeFeed } from './change-feed.js';
import { SqliteDb, type SqliteOptions } from './database.js';
import { bumpRevision, loadDirectory, removeObject, revision, upsertObject } from './directory-repo.js';
import * as repo from './enforcement-repo.js';

interface Pending {
  records: SendRecord[];
  events: DomainEvent[];
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

export class SqliteStore implements Store {
  readonly db: SqliteDb;
  private readonly feed: ChangeFeed;
  private pending: Pending | null = null;
  private readonly listeners = new Set<(c: Change) => void>();

  constructor(dataDir: string, opts: SqliteOptions = {}) {
    this.db = new SqliteDb(dataDir, opts);
    this.feed = new ChangeFeed(this.db);
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

  recordSends(records: readonly SendRecord[], events: readonly DomainEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.pending) {
        this.pending = { records: [], events: [], waiters: [] };
        setImmediate(() => this.flush());
      }
      this.pending.records.push(...records);
      this.pending.events.push(...events);
      this.pending.waiters.push({ resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = null;
    if (!batch) return;
    let foreign: Change[] = [];
    try {
      this.write(() => {
        // Under the write lock, take in what other processes committed first: a sender whose windows
        // an admin reset meanwhile must not get this batch's earlier sends written back after the reset.
        foreign = this.feed.poll();
        const reset = new Set(foreign.flatMap((c) => (c.kind === 'windows-reset' ? [keyOf(c.sender)] : [])));
        const records = reset.size === 0 ? batch.records : batch.records.filter((r) => !reset.has(keyOf(r.sender)));
        repo.recordSends(this.db, records);
        repo.recordEvents(this.db, batch.events);
      });
      for (const w of batch.waiters) w.resolve();
    } catch (err) {
      for (const w of batch.waiters) w.reject(err);
    }
    this.emit(foreign);
  }

  async applyTransition(t: Transition, opts: { from?: Restriction; resetWindows: boolean }): Promise<boolean> {
    const sender: SenderRef = { tenantId: t.restriction.tenantId, type: t.restriction.entityType, identity: t.restriction.identity };
    const applied = this.write(() => {
      const current = repo.getRestriction(this.db, sender);
      const allowed = t.restriction.status === 'Restricted' ? !isActive(current, t.history.at) : sameState(current, opts.from);
      if (!allowed) return false;
      if (t.restriction.status === 'Restricted' && current && isExpired(current, t.history.at)) {
        // Restricted again before the sweeper recorded the expiry: record it first, history stays exact.
        const expired = release(current, { how: 'Expired', actor: 'system', reason: EXPIRED_REASON, now: t.history.at })!;
        repo.applyTransition(this.db, expired);
        repo.recordEvents(this.db, [expired.event]);
      }
      repo.applyTransition(this.db, t);
      repo.recordEvents(this.db, [t.event]);
      this.feed.note({ kind: 'restriction', sender }, t.history.at);
      if (opts.resetWindows) {
        repo.resetWindows(this.db, sender);
        this.feed.note({ kind: 'windows-reset', sender }, t.history.at);
        // Sends admitted before the reset but not yet flushed belong to the windows just cleared.
        if (this.pending) this.pending.records = this.pending.records.filter((r) => keyOf(r.sender) !== keyOf(sender));
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

  async getRestriction(sender: SenderRef): Promise<Restriction | undefined> {
    return repo.getRestriction(this.db, sender);
  }

  async listRestrictions(q: RestrictionQuery): Promise<RestrictionView[]> {
    return repo.listRestrictions(this.db, q);
  }

  async listExpired(now: number): Promise<Restriction[]> {
    return repo.listExpired(this.db, now);
  }

  subscribe(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pollChanges(): void {
    this.emit(this.feed.poll());
  }

  private emit(changes: readonly Change[]): void {
    for (const c of changes) for (const l of this.listeners) l(c);
  }

  /** Housekeeping: minute buckets past the day window, hourly history past `keepHours`. */
  prune(now: number, keepHours = 24 * 8): void {
    this.write(() => repo.pruneWindows(this.db, Math.floor(now / 60_000) - 1440, Math.floor(now / 3_600_000) - keepHours));
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  /** One IMMEDIATE transaction; SQLite's own failures become the catalogue's store errors. */
  private write<T>(fn: () => T): T {
    try {
      return this.db.tx(fn);
    } catch (err) {
      throw storeError(err);
    }
  }
}

/** Optimistic concurrency: the row is as the caller read it (same status, same last change). */
function sameState(a: Restriction | undefined, b: Restriction | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.status === b.status && a.changedAt === b.changedAt;
}

const keyOf = (s: SenderRef): string => senderKey(s);

function storeError(err: unknown): unknown {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_CONSTRAINT')) return new OutgateError(Errors.ALREADY_EXISTS, 'An object with that name or address already exists.');
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new OutgateError(Errors.STORE_LOCKED, 'The store is busy; try again.');
  if (code.startsWith('SQLITE_')) return new OutgateError(Errors.STORE_UNAVAILABLE, `The store failed: ${(err as Error).message}.`);
  return err;
}
