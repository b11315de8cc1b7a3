// The embedded backend as the store factory opens it: SQLite in the data directory, the send journal and
// its applier, WAL checkpoints on a worker thread, and the timers that keep them moving.
import type { SendingCounters, StoreBackend } from '../../../app/ports.js';
import { lockDataDir } from './data-dir-lock.js';
import type { JournalWarn } from './journal-recovery.js';
import { EmbeddedCounters } from './sending-counters.js';
import { SqliteStore } from './store.js';

export interface EmbeddedOptions {
  readonly dataDir: string;
  readonly synchronous: 'normal' | 'full';
  readonly busyTimeoutMs: number;
  /** `server`: the one long-running process on the data directory (journal, lock); `cli`: a cmdlet. */
  readonly role: 'server' | 'cli';
  /** Reports what opening repaired (a damaged send journal); default: stderr. */
  readonly warn?: JournalWarn;
  /** Replaces the reservation lifetime (contract tests). */
  readonly reservationTtlMs?: number;
}

/** Journaled sends reach SQLite (and reports) within this long. */
const APPLY_MS = 200;
/**
 * Other processes' commits (the CLI acting locally) are looked for this often: PRAGMA data_version is
 * cheap, and no admin command returns to its user (process exit, shell prompt) within 5 ms of its commit.
 */
const WATCH_MS = 5;
const PRUNE_MS = 60_000;

export function openEmbedded(o: EmbeddedOptions): StoreBackend {
  const store = new SqliteStore(o.dataDir, { synchronous: o.synchronous, busyTimeoutMs: o.busyTimeoutMs });
  if (o.role === 'cli') return new EmbeddedBackend(store, () => undefined, o.reservationTtlMs);
  let unlock: () => void;
  try {
    unlock = lockDataDir(o.dataDir);
  } catch (err) {
    void store.close();
    throw err;
  }
  store.openJournal(o.synchronous === 'full', o.warn ? { warn: o.warn } : {});
  store.startBackgroundApply();
  return new EmbeddedBackend(store, unlock, o.reservationTtlMs);
}

class EmbeddedBackend implements StoreBackend {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly store: SqliteStore,
    private readonly unlock: () => void,
    private readonly reservationTtlMs: number | undefined,
  ) {}

  openCounters(now: number): Promise<SendingCounters> {
    return EmbeddedCounters.open(this.store, now, this.reservationTtlMs);
  }

  startBackground(now: () => number, onError: (what: string, err: unknown, task?: string) => void): void {
    const store = this.store;
    store.startBackgroundCheckpoints((message) => onError('background WAL checkpoint failed', new Error(message), 'wal-checkpoint'));
    store.startSenderFilter((err) => onError('listing the senders with stored windows failed (each new sender is then looked up)', err, 'sender-filter'));
    const applyFailed = (err: unknown): void =>
      onError('applying journaled sends to the store failed (they stay journaled; retrying)', err, 'apply-journal');
    this.timers.push(
      setInterval(() => {
        try {
          store.applyJournalInBackground(applyFailed);
        } catch (err) {
          applyFailed(err);
        }
      }, APPLY_MS),
      setInterval(() => {
        try {
          store.pollChanges();
        } catch (err) {
          onError('looking for changes made by other processes failed (decisions fail closed until it works)', err, 'poll-changes');
        }
      }, WATCH_MS),
      setInterval(() => {
        try {
          store.prune(now());
        } catch (err) {
          onError('pruning old sending windows failed', err, 'prune-windows');
        }
      }, PRUNE_MS),
    );
    for (const t of this.timers) t.unref();
  }

  flush(): Promise<void> {
    return this.store.flushJournal();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.store.close();
    this.unlock();
  }
}
