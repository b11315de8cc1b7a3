// Port: one storage backend as the use cases see it, and its lifecycle as the composition root sees it.
import type { AccountStore, SessionStore } from './accounts.js';
import type { AlertStore } from './alerts.js';
import type { AuditStore } from './audit.js';
import type { ChangeFeed } from './change-feed.js';
import type { DirectoryStore } from './directory.js';
import type { RestrictionStore, SendingHistory } from './restrictions.js';
import type { SendingCounters } from './sending-counters.js';

/** Every aggregate's port on one backend; a use case asks for the narrowest ones it needs. */
export interface Store
  extends DirectoryStore, RestrictionStore, SendingHistory, AuditStore, AccountStore, SessionStore, AlertStore, ChangeFeed {
  /** Resolves when the store can serve a read; rejects with the reason otherwise. */
  ping(): Promise<void>;
}

/** What the store factory opens: the store, and for the server its counters and background work. */
export interface StoreBackend {
  readonly store: Store;
  /** The policy server's counters, with the windows of the last day loaded. */
  openCounters(now: number): Promise<SendingCounters>;
  /**
   * The long-running server's upkeep (durability, housekeeping, watching for other processes'
   * changes). `now` is the service clock; failures go to `onError` and are tried again; `task` is a
   * short name for the failing task (a metrics label), e.g. `wal-checkpoint`.
   */
  startBackground(now: () => number, onError: (what: string, err: unknown, task?: string) => void): void;
  /** Resolves once every acknowledged send is readable by reports. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
