// The PostgreSQL backend as the store factory opens it: migrations under a lock, the store, the change
// feed's listener and the housekeeping timer. Sending counters belong to Redis (`shared`); without it the
// server counts in its own memory (commits written to PostgreSQL), which is exact only while it is the
// only node, so it then holds a lock that a second such node is refused on.
import { sql } from 'kysely';
import type pg from 'pg';
import type { SendingCounters, StoreBackend } from '../../../app/ports.js';
import type { DomainEvent } from '../../../domain/events.js';
import type { SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import { EmbeddedCounters } from '../sqlite/sending-counters.js';
import { LOCK_NS, LOCKS, migrate, PgDb } from './database.js';
import type { SendRecord } from './enforcement-repo.js';
import { PostgresStore } from './store.js';

/** Counters every node shares (Redis), as this backend needs them. */
export interface SharedCounters {
  /** The server's counters; each commit counted there once is made durable with `record`. */
  open(record: (sends: readonly SendRecord[], events: readonly DomainEvent[]) => Promise<void>): Promise<SendingCounters>;
  /** Restarts a sender's windows: an unblock that resets them, made in this process. */
  resetWindows(sender: SenderRef): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  readonly url: string;
  readonly role: 'server' | 'cli';
  /**
   * The cluster's counters (Redis); absent: node-local counters, for a single node (the server
   * refuses to start beside another node counting on its own). Closed with the backend.
   */
  readonly shared?: SharedCounters;
  /** Replaces the reservation lifetime of node-local counters (contract tests). */
  readonly reservationTtlMs?: number;
}

const PRUNE_MS = 60_000;

export async function openPostgres(o: PostgresOptions): Promise<StoreBackend> {
  const db = new PgDb({ url: o.url, poolSize: o.role === 'cli' ? 2 : 10 });
  try {
    await migrate(db);
    const shared = o.shared;
    const store = new PostgresStore(db, shared && ((sender) => shared.resetWindows(sender)));
    await store.feed.open();
    return new PostgresBackend(store, o);
  } catch (err) {
    await db.close().catch(() => undefined);
    await o.shared?.close().catch(() => undefined);
    throw err;
  }
}

class PostgresBackend implements StoreBackend {
  private timers: NodeJS.Timeout[] = [];
  /** Holds the single-node lock while this server counts in its own memory. */
  private soleCounter: pg.Client | null = null;

  constructor(
    readonly store: PostgresStore,
    private readonly o: PostgresOptions,
  ) {}

  async openCounters(now: number): Promise<SendingCounters> {
    if (this.o.shared) return this.o.shared.open((sends, events) => this.store.recordSends(sends, events));
    await this.claimSoleCounter();
    return EmbeddedCounters.open(this.store, now, this.o.reservationTtlMs);
  }

  /**
   * Two nodes each counting in memory would each admit the full limit: the second one is refused, with
   * the setting that makes several nodes possible. A session lock, so a node that dies frees it.
   */
  private async claimSoleCounter(): Promise<void> {
    if (this.soleCounter) return;
    const c = this.store.db.client();
    c.on('error', () => undefined);
    await c.connect();
    const got = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_NS, LOCKS.localCounters])).rows[0]?.ok;
    if (!got) {
      await c.end();
      throw new OutgateError(
        Errors.CONFIG_INVALID,
        'Another Outgate node is already counting sends on this PostgreSQL store in its own memory: more than one node needs shared counters. Set store.redisUrl (OUTGATE_REDIS_URL) on every node.',
      );
    }
    this.soleCounter = c;
  }

  startBackground(now: () => number, onError: (what: string, err: unknown) => void): void {
    const store = this.store;
    store.feed.listen((changes) => store.emit(changes), onError);
    const prune = setInterval(() => {
      store.prune(now()).catch((err: unknown) => onError('pruning old sending history failed', err));
    }, PRUNE_MS);
    prune.unref();
    this.timers.push(prune);
  }

  /** Every commit is written before it resolves: nothing waits here. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.soleCounter?.end().catch(() => undefined);
    this.soleCounter = null;
    await this.store.close();
    await this.o.shared?.close();
  }
}

/** For tests and tools: the schema version a database is at. */
export async function schemaVersion(url: string): Promise<number> {
  const db = new PgDb({ url, poolSize: 1 });
  try {
    return (await sql<{ version: number }>`SELECT version FROM schema_version WHERE id = 1`.execute(db.q)).rows[0]?.version ?? 0;
  } finally {
    await db.close();
  }
}
