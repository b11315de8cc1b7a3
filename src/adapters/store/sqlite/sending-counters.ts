// The embedded SendingCounters: each sender's windows in memory, the open messages' reservations beside
// them, commits made durable by the store (the send journal on SQLite; a transaction on PostgreSQL when
// one node runs without Redis). Every step runs synchronously in the one process that counts, so it is
// atomic without a lock. On SQLite a sender is loaded from the store the first time it is asked about
// and leaves memory once it is idle and all its sends are in the store: memory follows the senders
// active in the last minutes, not every sender of the day, and a start reads nothing.
import type { CommitRequest, RecipientCaps, ReserveRequest, ReserveResult, SendingCounters, Sync } from '../../../app/ports.js';
import type { Tally } from '../../../domain/evaluate.js';
import type { DomainEvent } from '../../../domain/events.js';
import { DAY_MINUTES, minuteOf, type WindowTotals } from '../../../domain/rolling-window.js';
import { senderKey, type EntityType, type SenderRef } from '../../../domain/sender.js';
import type { Change } from '../../../app/ports.js';
import type { Counts, MinuteBucket } from '../../../domain/rolling-window.js';
import { Hold, SenderCounter } from './sender-counter.js';

/** What the counters need of the store they restore from and commit to. */
export interface CounterHost {
  subscribe(listener: (c: Change) => void): () => void;
  /** The day window's buckets, less what came before each sender's last window reset. */
  loadWindows(sinceMinute: number): Promise<Iterable<{ sender: SenderRef; bucket: MinuteBucket }>>;
  /** Makes admitted sends durable (with the events they raised) when it resolves. */
  recordSends(records: ReadonlyArray<{ sender: SenderRef; at: number; counts: Counts }>, events: readonly DomainEvent[]): Promise<void>;
  /** A store that reads one sender's windows synchronously: senders are then loaded on demand. */
  readonly onDemand?: OnDemandWindows;
}

export interface OnDemandWindows {
  /** One sender's buckets after `sinceMinute`, less what came before its last reset; every applied send included. */
  loadSender(key: string, sender: SenderRef, sinceMinute: number): Iterable<MinuteBucket>;
  /** The counters dropped the sender (by senderKey()) from memory, its sends all applied. */
  forgot(key: string): void;
  /** How many sends were handed to recordSends so far. */
  sendsQueued(): number;
  /** The first this-many sends handed to recordSends are in what loadSender reads. */
  sendsApplied(): number;
  /** The totals at `now` of every sender with something in its windows in the store (those with at least `minLastHour` recipients in the last hour, when above 0). */
  activeSenders(now: number, minLastHour: number): Promise<Iterable<{ sender: SenderRef; totals: WindowTotals }>>;
}

/** Long enough for a large DATA phase (Postfix's smtpd_timeout is 300 s per command). */
export const RESERVATION_TTL_MS = 15 * 60_000;

const NO_TOTALS: WindowTotals = Object.freeze({
  externalLastHour: 0,
  internalLastHour: 0,
  externalLast24h: 0,
  internalLast24h: 0,
  recipientsLast24h: 0,
  messagesLastMinute: 0,
});

/** senderKey() read back: `tenant \0 type \0 identity` (tenant ids and types hold no NUL). */
function refOfKey(key: string): SenderRef {
  const a = key.indexOf('\u0000');
  const b = key.indexOf('\u0000', a + 1);
  return { tenantId: key.slice(0, a), type: key.slice(a + 1, b) as EntityType, identity: key.slice(b + 1) };
}


export class EmbeddedCounters implements SendingCounters {
  private readonly senders = new Map<string, SenderCounter>();
  private readonly onDemand: OnDemandWindows | undefined;

  private constructor(
    private readonly store: CounterHost,
    readonly reservationTtlMs: number,
  ) {
    this.onDemand = store.onDemand;
    // An unblock restarts the sender's windows and frees what its open messages held. A 'resync' (the
    // feed lost changes it kept for a day) needs nothing here: a reset it lost is over a day old, so
    // the sends it cleared have left every window already (PostgresStore.prune keeps the log that long).
    store.subscribe((c) => {
      if (c.kind !== 'windows-reset') return;
      const key = senderKey(c.sender);
      if (!this.onDemand) this.senders.delete(key);
      else if (this.senders.has(key)) {
        // Kept, empty, until its sends so far are in the store (which leaves out those before the reset).
        const fresh = new SenderCounter();
        fresh.lastSend = this.onDemand.sendsQueued();
        this.senders.set(key, fresh);
      }
    });
  }

  static async open(store: CounterHost, now: number, reservationTtlMs = RESERVATION_TTL_MS): Promise<EmbeddedCounters> {
    const counters = new EmbeddedCounters(store, reservationTtlMs);
    if (counters.onDemand) return counters;
    for (const { sender, bucket } of await store.loadWindows(minuteOf(now) - DAY_MINUTES)) {
      counters.counterOf(senderKey(sender), sender, now).restore(bucket);
    }
    return counters;
  }

  reserve(r: ReserveRequest): ReserveResult {
    const counter = this.counterOf(r.key, r.sender, r.now);
    const totals = this.totalsOf(counter, r.message, r.now);
    const hold = r.message === '' || counter.holds === null ? undefined : counter.holds.find((h) => h.message === r.message);
    const held: Tally = hold ? { external: hold.external, internal: hold.internal } : { external: 0, internal: 0 };
    if (hold?.has(r.recipient)) return { reserved: true, totals, tally: held };
    const tally: Tally = r.internal ? { external: held.external, internal: held.internal + 1 } : { external: held.external + 1, internal: held.internal };
    if (!withinCaps(totals, tally, r.caps)) return { reserved: false, totals, tally };
    if (r.message !== '') {
      let h = hold;
      if (!h) {
        h = new Hold(r.message, 0);
        if (counter.holds === null) counter.holds = [h];
        else counter.holds.push(h);
      }
      h.add(r.recipient);
      if (r.internal) h.internal++;
      else h.external++;
      h.expiresAt = r.now + this.reservationTtlMs;
    }
    return { reserved: true, totals, tally };
  }

  totals(key: string, message: string, now: number): WindowTotals {
    const counter = this.senders.get(key) ?? (this.onDemand ? this.counterOf(key, refOfKey(key), now) : undefined);
    return counter ? this.totalsOf(counter, message, now) : NO_TOTALS;
  }

  commit(c: CommitRequest, events: readonly DomainEvent[]): Promise<void> {
    const counter = this.counterOf(c.key, c.sender, c.at);
    if (c.message !== '') {
      if (!counter.firstCommit(c.message)) return Promise.resolve();
      dropHold(counter, c.message);
    }
    counter.add(c.at, c.counts);
    const done = this.store.recordSends([{ sender: c.sender, at: c.at, counts: c.counts }], events);
    if (this.onDemand) counter.lastSend = this.onDemand.sendsQueued();
    return done;
  }

  release(key: string, message: string): void {
    const counter = this.senders.get(key);
    if (counter) dropHold(counter, message);
  }

  active(now: number, minLastHour = 0): Sync<Array<{ sender: SenderRef; totals: WindowTotals }>> {
    const out: Array<{ sender: SenderRef; totals: WindowTotals }> = [];
    for (const [key, counter] of this.senders) {
      if (counter.isEmpty(now)) continue;
      const totals = counter.totals(now);
      if (minLastHour > 0 && totals.externalLastHour + totals.internalLastHour < minLastHour) continue;
      out.push({ sender: refOfKey(key), totals });
    }
    if (!this.onDemand) return out;
    // The store's sums for the senders not in memory now; those in memory are counted from memory.
    const inMemory = new Set(this.senders.keys());
    return this.onDemand.activeSenders(now, minLastHour).then((stored) => {
      for (const a of stored) if (!inMemory.has(senderKey(a.sender))) out.push(a);
      return out;
    });
  }

  /**
   * Drops expired holds and forgets senders with nothing in any window. On demand, also a sender quiet
   * for two minutes (its message rate, kept to the second here, is then 0 read back from the store as
   * well) whose sends are all in the store, with nothing held: loaded again when it is next asked about.
   */
  compact(now: number): void {
    const applied = this.onDemand?.sendsApplied();
    const quietBefore = minuteOf(now) - 1;
    for (const [key, counter] of this.senders) {
      if (counter.holds !== null) {
        const open = counter.holds.filter((h) => h.expiresAt > now);
        counter.holds = open.length > 0 ? open : null;
      }
      if (counter.holds !== null) continue;
      if (applied === undefined) {
        if (counter.isEmpty(now)) this.senders.delete(key);
      } else if (counter.lastSend <= applied && counter.quietSince(quietBefore)) {
        this.senders.delete(key);
        this.onDemand!.forgot(key);
      }
    }
  }

  /** The sender's counter, loaded from the store when it is not in memory (on demand). */
  private counterOf(key: string, ref: SenderRef, now: number): SenderCounter {
    let counter = this.senders.get(key);
    if (counter === undefined) {
      counter = new SenderCounter();
      if (this.onDemand) for (const b of this.onDemand.loadSender(key, ref, minuteOf(now) - DAY_MINUTES)) counter.restore(b);
      this.senders.set(key, counter);
    }
    return counter;
  }

  /** Committed windows plus the unexpired holds of the sender's other messages. */
  private totalsOf(counter: SenderCounter, message: string, now: number): WindowTotals {
    const base = counter.totals(now);
    const holds = counter.holds;
    if (holds === null) return base;
    let external = 0;
    let internal = 0;
    let expired = false;
    for (const h of holds) {
      if (h.expiresAt <= now) expired = true;
      else if (h.message !== message) {
        external += h.external;
        internal += h.internal;
      }
    }
    if (expired) {
      const open = holds.filter((h) => h.expiresAt > now);
      counter.holds = open.length > 0 ? open : null;
    }
    if (external + internal === 0) return base;
    return {
      externalLastHour: base.externalLastHour + external,
      internalLastHour: base.internalLastHour + internal,
      externalLast24h: base.externalLast24h + external,
      internalLast24h: base.internalLast24h + internal,
      recipientsLast24h: base.recipientsLast24h + external + internal,
      messagesLastMinute: base.messagesLastMinute,
    };
  }
}

function dropHold(counter: SenderCounter, message: string): void {
  const holds = counter.holds;
  if (holds === null) return;
  const i = holds.findIndex((h) => h.message === message);
  if (i < 0) return;
  if (holds.length === 1) counter.holds = null;
  else holds.splice(i, 1);
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
