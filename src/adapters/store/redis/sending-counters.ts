// SendingCounters on Redis, shared by every node: each decision is one Lua script on the sender's slot
// (counter-scripts.ts), so limits hold exactly across nodes (Rspamd, redis-cell and GitHub's limiter
// are exact the same way). The durable record for reports is the durable store's, handed in as `record`.
import type { CommitRequest, RecipientCaps, ReserveRequest, ReserveResult, SendingCounters } from '../../../app/ports.js';
import type { DomainEvent } from '../../../domain/events.js';
import type { Counts, MinuteBucket, WindowTotals } from '../../../domain/rolling-window.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import type { RedisConnection } from './connection.js';
import { ACTIVE_SHARDS, activeKey, activeShard, DEFAULT_PREFIX, recipientsKey, senderOfKey, windowsKey } from './keys.js';

/** Long enough for a large DATA phase (Postfix's smtpd_timeout is 300 s per command); as the embedded store. */
export const RESERVATION_TTL_MS = 15 * 60_000;
/** A sender's hash outlives its last write by the day window plus a reservation: then nothing in it counts. */
const KEY_TTL_MS = 24 * 3_600_000 + RESERVATION_TTL_MS;
/** Senders whose totals active() asks for at once (node-redis pipelines what one tick sends). */
const ACTIVE_BATCH = 256;
/**
 * A sender committing all the time is re-indexed at most this often: its index score may lag its last
 * commit by this much, so entries are trimmed only once that long past the key's own lifetime.
 */
const INDEX_REFRESH_MS = 3_600_000;

/** An admitted message as the durable store records it for reports. */
export interface SendRecord {
  readonly sender: SenderRef;
  readonly at: number;
  readonly counts: Counts;
}

export interface RedisCountersOptions {
  /** Key prefix: one install (or one test) per prefix on a shared Redis. */
  readonly prefix?: string;
  readonly reservationTtlMs?: number;
  /**
   * Makes a counted message durable for reports, with the events decided at its end (the durable
   * store's send history). Called once per message: a repeated commit is not recorded again.
   */
  readonly record?: (sends: readonly SendRecord[], events: readonly DomainEvent[]) => Promise<void>;
}

const NO_CAP = '-1';
const cap = (n: number): string => (Number.isFinite(n) ? String(Math.floor(n)) : NO_CAP);

export class RedisCounters implements SendingCounters {
  readonly reservationTtlMs: number;
  private readonly prefix: string;
  private readonly record: RedisCountersOptions['record'];

  constructor(
    private readonly redis: RedisConnection,
    o: RedisCountersOptions = {},
  ) {
    this.prefix = o.prefix ?? DEFAULT_PREFIX;
    this.reservationTtlMs = o.reservationTtlMs ?? RESERVATION_TTL_MS;
    this.record = o.record;
  }

  async reserve(r: ReserveRequest): Promise<ReserveResult> {
    const c: RecipientCaps = r.caps;
    const reply = (await this.run('ogReserve', [windowsKey(this.prefix, r.key), recipientsKey(this.prefix, r.key, r.message)], [
      String(r.now),
      r.message,
      r.recipient,
      r.internal ? '1' : '0',
      String(this.reservationTtlMs),
      String(KEY_TTL_MS),
      cap(c.externalPerHour),
      cap(c.internalPerHour),
      cap(c.perDay),
      cap(c.perMessage),
      cap(c.messagesPerMinute),
    ])) as number[];
    return { reserved: reply[0] === 1, totals: totalsOf(reply, 1), tally: { external: Number(reply[6]), internal: Number(reply[7]) } };
  }

  async totals(key: string, message: string, now: number): Promise<WindowTotals> {
    return totalsOf((await this.run('ogTotals', [windowsKey(this.prefix, key)], [String(now), message, '0'])) as number[], 0);
  }

  async commit(c: CommitRequest, events: readonly DomainEvent[]): Promise<void> {
    const counted = await this.run('ogCommit', [windowsKey(this.prefix, c.key), recipientsKey(this.prefix, c.key, c.message)], [
      String(c.at),
      c.message,
      String(c.counts.external),
      String(c.counts.internal),
      String(c.counts.messages),
      String(this.reservationTtlMs),
      String(KEY_TTL_MS),
      String(INDEX_REFRESH_MS),
    ]);
    if (counted === 2) await this.index(c.key, c.at);
    // Counted in Redis first: a repeated commit (another node, a retry) is refused there, atomically,
    // and so is never recorded twice. If the durable write then fails the caller sees the rejection.
    if (counted !== 0 && this.record) await this.record([{ sender: c.sender, at: c.at, counts: c.counts }], events);
  }

  async release(key: string, message: string): Promise<void> {
    await this.run('ogRelease', [windowsKey(this.prefix, key), recipientsKey(this.prefix, key, message)], [message]);
  }

  /**
   * Every sender with something in its day window, from the active index (a sorted set per shard, by
   * when each sender was indexed): entries too old to have anything left are trimmed first, then each
   * remaining sender's totals are read. Costs what the active senders cost, whatever else Redis holds;
   * a SCAN over every key, as before, cost every node a pass over the whole keyspace each minute.
   */
  async active(now: number): Promise<Iterable<{ sender: SenderRef; totals: WindowTotals }>> {
    const out: Array<{ sender: SenderRef; totals: WindowTotals }> = [];
    let batch: Array<{ sender: SenderRef; name: string }> = [];
    const drain = async (): Promise<void> => {
      const replies = await Promise.all(batch.map((b) => this.run('ogTotals', [b.name], [String(now), '', '1']) as Promise<number[]>));
      replies.forEach((reply, i) => {
        // Live minute buckets, or messages in the last minute.
        if (Number(reply[5]) > 0 || Number(reply[4]) > 0) out.push({ sender: batch[i]!.sender, totals: totalsOf(reply, 0) });
      });
      batch = [];
    };
    const stale = String(now - KEY_TTL_MS - INDEX_REFRESH_MS);
    try {
      for (let shard = 0; shard < ACTIVE_SHARDS; shard++) {
        const key = activeKey(this.prefix, shard);
        await this.redis.command(key, ['ZREMRANGEBYSCORE', key, '-inf', `(${stale}`]);
        for (const member of await this.redis.command<string[]>(key, ['ZRANGE', key, '0', '-1'])) {
          const sender = senderOfKey(member);
          if (!sender) continue;
          batch.push({ sender, name: windowsKey(this.prefix, member) });
          if (batch.length >= ACTIVE_BATCH) await drain();
        }
      }
      await drain();
    } catch (err) {
      throw unavailable(err);
    }
    return out;
  }

  /**
   * Puts a sender in the active index (its shard's sorted set), scored `at`. The set expires as its
   * senders' keys do once nobody sends: an install that stops leaves nothing behind.
   */
  private async index(key: string, at: number): Promise<void> {
    await this.run('ogIndex', [activeKey(this.prefix, activeShard(key))], [String(at), key, String(KEY_TTL_MS + INDEX_REFRESH_MS)]);
  }

  /** Nothing to do: scripts drop stale buckets as they read, and idle senders' keys expire by themselves. */
  compact(): void {}

  /** Restarts a sender's windows and frees its holds (an unblock that resets them); call once, on the node that made it. */
  async resetWindows(sender: SenderRef): Promise<void> {
    await this.run('ogReset', [windowsKey(this.prefix, senderKey(sender))], []);
  }

  /**
   * Writes a sender's committed minute buckets as a commit would have (a migration from another store);
   * `writing` hears the key before it is written, so a caller can undo a seeding that failed half-way.
   */
  async seed(sender: SenderRef, buckets: readonly MinuteBucket[], writing?: (key: string) => void): Promise<void> {
    if (buckets.length === 0) return;
    const key = windowsKey(this.prefix, senderKey(sender));
    writing?.(key);
    const last = Math.max(...buckets.map((b) => b.minute)) * 60_000;
    const fields = buckets.flatMap((b) => [`m${b.minute}`, `${b.external}:${b.internal}:${b.messages}`]);
    try {
      await this.redis.command(key, ['HSET', key, ...fields, 'i', String(last)]);
      await this.redis.command(key, ['PEXPIRE', key, String(KEY_TTL_MS)]);
    } catch (err) {
      throw unavailable(err);
    }
    const index = activeKey(this.prefix, activeShard(senderKey(sender)));
    writing?.(index);
    await this.index(senderKey(sender), last);
  }

  private async run(name: Parameters<RedisConnection['script']>[0], keys: readonly string[], args: readonly string[]): Promise<number[] | number> {
    try {
      return await this.redis.script(name, keys, args);
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function totalsOf(reply: readonly number[], at: number): WindowTotals {
  return {
    externalLastHour: Number(reply[at]),
    internalLastHour: Number(reply[at + 1]),
    externalLast24h: Number(reply[at + 2]),
    internalLast24h: Number(reply[at + 3]),
    recipientsLast24h: Number(reply[at + 2]) + Number(reply[at + 3]),
    messagesLastMinute: Number(reply[at + 4]),
  };
}

/** Any Redis failure (down, timed out, refused) is the store being unavailable: the policy fail mode applies. */
function unavailable(err: unknown): OutgateError {
  if (err instanceof OutgateError) return err;
  return new OutgateError(Errors.STORE_UNAVAILABLE, `Redis failed: ${err instanceof Error ? err.message : String(err)}.`);
}
