// The embedded SendingCounters: each sender's windows in memory (restored from the store at start), the
// open messages' reservations beside them, commits made durable by the store (the send journal on
// SQLite; a transaction on PostgreSQL when one node runs without Redis). Every step runs synchronously
// in the one process that counts, so it is atomic without a lock.
import type { CommitRequest, RecipientCaps, ReserveRequest, ReserveResult, SendingCounters } from '../../../app/ports.js';
import type { Tally } from '../../../domain/evaluate.js';
import type { DomainEvent } from '../../../domain/events.js';
import { DAY_MINUTES, minuteOf, SendingWindow, type WindowTotals } from '../../../domain/rolling-window.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import type { Change } from '../../../app/ports.js';
import type { Counts, MinuteBucket } from '../../../domain/rolling-window.js';

/** What the counters need of the store they restore from and commit to. */
export interface CounterHost {
  subscribe(listener: (c: Change) => void): () => void;
  /** The day window's buckets, less what came before each sender's last window reset. */
  loadWindows(sinceMinute: number): Promise<Iterable<{ sender: SenderRef; bucket: MinuteBucket }>>;
  /** Makes admitted sends durable (with the events they raised) when it resolves. */
  recordSends(records: ReadonlyArray<{ sender: SenderRef; at: number; counts: Counts }>, events: readonly DomainEvent[]): Promise<void>;
}

/** Long enough for a large DATA phase (Postfix's smtpd_timeout is 300 s per command). */
export const RESERVATION_TTL_MS = 15 * 60_000;

/** The recipients one open message holds. */
class Hold {
  readonly recipients = new Set<string>();
  external = 0;
  internal = 0;
  constructor(
    readonly message: string,
    public expiresAt: number,
  ) {}
}

/**
 * How many of a sender's latest commits are remembered, so a repeated END-OF-MESSAGE (Postfix resends a
 * request after a policy timeout) adds nothing. Per sender, so memory follows the active senders, not the
 * message rate: a service-wide set of every message of the last minutes held tens of millions of ids at
 * full load (and, being cut from the requests, each kept its whole request alive). A message is
 * remembered by a 32-bit hash of its id, not the id: a few numbers per sender, not a few strings.
 */
const RECENT_COMMITS = 8;

/** FNV-1a over the id's UTF-16 code units: two ids of one sender's last 8 messages colliding is ~2e-9. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}

class SenderCounter {
  window: SendingWindow | null = null;
  /** Open messages, usually none or one. */
  holds: Hold[] = [];
  /** Hashes of the sender's latest committed messages, oldest first (RECENT_COMMITS at most). */
  recentCommits: number[] | null = null;
  constructor(readonly ref: SenderRef) {}

  /** Remembers a commit; false when this message was committed already. */
  firstCommit(message: string): boolean {
    const h = idHash(message);
    const recent = (this.recentCommits ??= []);
    if (recent.includes(h)) return false;
    if (recent.length === RECENT_COMMITS) recent.shift();
    recent.push(h);
    return true;
  }
}

const NO_TOTALS: WindowTotals = Object.freeze({ externalLastHour: 0, internalLastHour: 0, recipientsLast24h: 0, messagesLastMinute: 0 });

export class EmbeddedCounters implements SendingCounters {
  private readonly senders = new Map<string, SenderCounter>();

  private constructor(
    private readonly store: CounterHost,
    readonly reservationTtlMs: number,
  ) {
    // An unblock restarts the sender's windows and frees what its open messages held.
    store.subscribe((c) => {
      if (c.kind === 'windows-reset') this.senders.delete(senderKey(c.sender));
    });
  }

  static async open(store: CounterHost, now: number, reservationTtlMs = RESERVATION_TTL_MS): Promise<EmbeddedCounters> {
    const counters = new EmbeddedCounters(store, reservationTtlMs);
    for (const { sender, bucket } of await store.loadWindows(minuteOf(now) - DAY_MINUTES)) {
      (counters.counterOf(senderKey(sender), sender).window ??= new SendingWindow()).restore(bucket);
    }
    return counters;
  }

  reserve(r: ReserveRequest): ReserveResult {
    const counter = this.counterOf(r.key, r.sender);
    const totals = this.totalsOf(counter, r.message, r.now);
    const hold = r.message === '' ? undefined : counter.holds.find((h) => h.message === r.message);
    const held: Tally = hold ? { external: hold.external, internal: hold.internal } : { external: 0, internal: 0 };
    if (hold?.recipients.has(r.recipient)) return { reserved: true, totals, tally: held };
    const tally: Tally = r.internal ? { external: held.external, internal: held.internal + 1 } : { external: held.external + 1, internal: held.internal };
    if (!withinCaps(totals, tally, r.caps)) return { reserved: false, totals, tally };
    if (r.message !== '') {
      const h = hold ?? new Hold(r.message, 0);
      if (!hold) counter.holds.push(h);
      h.recipients.add(r.recipient);
      if (r.internal) h.internal++;
      else h.external++;
      h.expiresAt = r.now + this.reservationTtlMs;
    }
    return { reserved: true, totals, tally };
  }

  totals(key: string, message: string, now: number): WindowTotals {
    const counter = this.senders.get(key);
    return counter ? this.totalsOf(counter, message, now) : NO_TOTALS;
  }

  commit(c: CommitRequest, events: readonly DomainEvent[]): Promise<void> {
    const counter = this.counterOf(c.key, c.sender);
    if (c.message !== '') {
      if (!counter.firstCommit(c.message)) return Promise.resolve();
      if (counter.holds.length > 0) counter.holds = counter.holds.filter((h) => h.message !== c.message);
    }
    (counter.window ??= new SendingWindow()).add(c.at, c.counts);
    return this.store.recordSends([{ sender: counter.ref, at: c.at, counts: c.counts }], events);
  }

  release(key: string, message: string): void {
    const counter = this.senders.get(key);
    if (counter && counter.holds.length > 0) counter.holds = counter.holds.filter((h) => h.message !== message);
  }

  *active(now: number): Generator<{ sender: SenderRef; totals: WindowTotals }> {
    for (const counter of this.senders.values()) {
      const w = counter.window;
      if (!w || w.isEmpty(now)) continue;
      yield { sender: counter.ref, totals: w.totals(now) };
    }
  }

  compact(now: number): void {
    for (const [key, counter] of this.senders) {
      if (counter.window?.isEmpty(now)) counter.window = null;
      if (counter.holds.length > 0) counter.holds = counter.holds.filter((h) => h.expiresAt > now);
      if (!counter.window && counter.holds.length === 0) this.senders.delete(key);
    }
  }

  private counterOf(key: string, ref: SenderRef): SenderCounter {
    let counter = this.senders.get(key);
    if (!counter) {
      counter = new SenderCounter(ref);
      this.senders.set(key, counter);
    }
    return counter;
  }

  /** Committed windows plus the unexpired holds of the sender's other messages. */
  private totalsOf(counter: SenderCounter, message: string, now: number): WindowTotals {
    const base = counter.window ? counter.window.totals(now) : NO_TOTALS;
    if (counter.holds.length === 0) return base;
    let external = 0;
    let internal = 0;
    let expired = false;
    for (const h of counter.holds) {
      if (h.expiresAt <= now) expired = true;
      else if (h.message !== message) {
        external += h.external;
        internal += h.internal;
      }
    }
    if (expired) counter.holds = counter.holds.filter((h) => h.expiresAt > now);
    if (external + internal === 0) return base;
    return {
      externalLastHour: base.externalLastHour + external,
      internalLastHour: base.internalLastHour + internal,
      recipientsLast24h: base.recipientsLast24h + external + internal,
      messagesLastMinute: base.messagesLastMinute,
    };
  }

}

/** The same limits evaluate() applies at RCPT, so a reservation is refused exactly when the recipient is. */
function withinCaps(t: WindowTotals, m: Tally, caps: RecipientCaps): boolean {
  return (
    m.external + m.internal <= caps.perMessage &&
    t.messagesLastMinute + 1 <= caps.messagesPerMinute &&
    t.externalLastHour + m.external <= caps.externalPerHour &&
    t.internalLastHour + m.internal <= caps.internalPerHour &&
    t.recipientsLast24h + m.external + m.internal <= caps.perDay
  );
}
