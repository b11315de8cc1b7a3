// Port: the enforcement windows. Two atomic steps, the shape both an in-process store and a Redis Lua
// script can implement (WildDuck's ttlcounter.lua: refuse without adding): check-and-reserve one
// recipient of an open message, and commit the message at its end. Answers may be synchronous, so the
// embedded backend adds no promise to the policy hot path.
import type { DomainEvent } from '../../domain/events.js';
import type { Tally } from '../../domain/evaluate.js';
import type { Counts, WindowTotals } from '../../domain/rolling-window.js';
import type { SenderRef } from '../../domain/sender.js';

/** A value now, or later: the embedded backend answers now. */
export type Sync<T> = T | Promise<T>;

/** The most each window may hold with a message's recipients added; Infinity for no cap. */
export interface RecipientCaps {
  readonly externalPerHour: number;
  readonly internalPerHour: number;
  readonly perDay: number;
  readonly perMessage: number;
  /** Messages in the last minute, this one included. */
  readonly messagesPerMinute: number;
}

export const NO_CAPS: RecipientCaps = Object.freeze({
  externalPerHour: Infinity,
  internalPerHour: Infinity,
  perDay: Infinity,
  perMessage: Infinity,
  messagesPerMinute: Infinity,
});

export interface ReserveRequest {
  readonly sender: SenderRef;
  /**
   * senderKey(sender), computed once by the caller, which keeps it anyway (a flat string, not cut from a
   * request): counters in memory keep this very string as their key rather than a copy of their own.
   */
  readonly key: string;
  /** The message instance (Postfix `instance`): its reservations and its commit. Empty: holds nothing. */
  readonly message: string;
  readonly recipient: string;
  readonly internal: boolean;
  readonly now: number;
  readonly caps: RecipientCaps;
}

export interface ReserveResult {
  /** The recipient is held for the message (or already was): every cap is met with it. */
  readonly reserved: boolean;
  /** The sender's committed windows plus what its other open messages hold. */
  readonly totals: WindowTotals;
  /** The message's distinct held recipients, the asked one included. */
  readonly tally: Tally;
}

export interface CommitRequest {
  readonly sender: SenderRef;
  readonly key: string;
  readonly message: string;
  readonly at: number;
  readonly counts: Counts;
}

export interface SendingCounters {
  /** How long a reservation lives without a commit (a message abandoned mid-way frees its recipients). */
  readonly reservationTtlMs: number;
  /** One atomic step: reads the totals and holds `recipient` only if every cap stays met. */
  reserve(r: ReserveRequest): Sync<ReserveResult>;
  /** The totals a message's recipients add to: committed windows plus the other open messages' holds. */
  totals(key: string, message: string, now: number): Sync<WindowTotals>;
  /**
   * Counts an admitted message into the windows and drops its holds, durably when it resolves, with
   * `events` recorded alongside. Idempotent per message: a second commit of one message adds nothing.
   */
  commit(c: CommitRequest, events: readonly DomainEvent[]): Promise<void>;
  /** Drops what a refused or abandoned message holds. */
  release(key: string, message: string): Sync<void>;
  /**
   * Every sender with something in its windows at `now`, with its totals (reports); with `minLastHour`
   * above 0, only the senders with at least that many recipients in the last hour (the unusual-volume
   * sweep, each minute: at a million senders, listing them all was seconds of work for a handful).
   */
  active(now: number, minLastHour?: number): Sync<Iterable<{ sender: SenderRef; totals: WindowTotals }>>;
  /** Forgets senders with nothing left in any window (memory follows the active senders). */
  compact(now: number): void;
}
