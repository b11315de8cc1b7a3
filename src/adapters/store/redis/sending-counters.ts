// SendingCounters on Redis, shared by every node: each decision is one Lua script on the sender's slot
// (counter-scripts.ts), so limits hold exactly across nodes (Rspamd, redis-cell and GitHub's limiter
// are exact the same way). The durable record for reports is the durable store's, handed in as `record`.
import type { CommitRequest, RecipientCaps, ReserveRequest, ReserveResult, SendingCounters } from '../../../app/ports.js';
import type { DomainEvent } from '../../../domain/events.js';
import type { Counts, MinuteBucket, WindowTotals } from '../../../domain/rolling-window.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import type { RedisConnection } from './connection.js';
import { DEFAULT_PREFIX, recipientsKey, senderOfWindowsKey, windowsKey, windowsPattern } from './keys.js';

/** Long enough for a large DATA phase (Postfix's smtpd_timeout is 300 s per command); as the embedded store. */
export const RESERVATION_TTL_MS = 15 * 60_000;
/** A sender's hash outlives its last write by the day window plus a reservation: then nothing in it counts. */
const KEY_TTL_MS = 24 * 3_600_000 + RESERVATION_TTL_MS;
/** Senders whose totals active() asks for at once (node-redis pipelines what one tick sends). */
const ACTIVE_BATCH = 256;

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
    ]);
    // Counted in Redis first: a repeated commit (another node, a retry) is refused there, atomically,
    // and so is never recorded twice. If the durable write then fails the caller sees the rejection.
    if (counted !== 0 && this.record) await this.record([{ sender: c.sender, at: c.at, counts: c.counts }], events);
  }

  async release(key: string, message: string): Promise<void> {
    await this.run('ogRelease', [windowsKey(this.prefix, key), recipientsKey(this.prefix, key, message)], [message]);
  }

  /**
   * Every sender with something in its day window: SCAN over every master finds the senders' hashes
   * (keys expire a day after their last write), then each one's totals are read. No index of senders:
   * it cost as much memory again as the hashes themselves (keys.ts windowsPattern), and its trimming
   * saved nothing, since every indexed sender's totals were read all the same.
   */
  async active(now: number, minLastHour = 0): Promise<Iterable<{ sender: SenderRef; totals: WindowTotals }>> {
    const out: Array<{ sender: SenderRef; totals: WindowTotals }> = [];
    let batch: Array<{ sender: SenderRef; name: string }> = [];
    const drain = async (): Promise<void> => {
      const replies = await Promise.all(batch.map((b) => this.run('ogTotals', [b.name], [String(now), '', '1']) as Promise<number[]>));
      replies.forEach((reply, i) => {
        // Live minute buckets, or messages in the last minute.
        if (!(Number(reply[5]) > 0 || Number(reply[4]) > 0)) return;
        const totals = totalsOf(reply, 0);
        if (totals.externalLastHour + totals.internalLastHour >= minLastHour) out.push({ sender: batch[i]!.sender, totals });
      });
      batch = [];
    };
    try {
      for await (const name of this.redis.scan(windowsPattern(this.prefix))) {
        const sender = senderOfWindowsKey(this.prefix, name);
        if (!sender) continue;
        batch.push({ sender, name });
        if (batch.length >= ACTIVE_BATCH) await drain();
      }
      await drain();
    } catch (err) {
      throw unavailable(err);
    }
    return out;
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
    const fields = buckets.flatMap((b) => [String(b.minute), `${b.external}:${b.internal}:${b.messages}`]);
    try {
      await this.redis.command(key, ['HSET', key, ...fields]);
      await this.redis.command(key, ['PEXPIRE', key, String(KEY_TTL_MS)]);
    } catch (err) {
      throw unavailable(err);
    }
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
