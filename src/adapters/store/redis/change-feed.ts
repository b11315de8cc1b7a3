// The change feed across nodes: restrict, unblock and configuration changes go into one Redis Stream
// after the durable store commits them; every node reads it from the last id it saw with XREAD BLOCK
// on a connection of its own. A stream, not pub/sub: pub/sub is at-most-once and a node that was
// disconnected loses what it missed (redis.io pub/sub "delivery semantics"), while XREAD from the last
// id replays it. The durable state stays the truth: on every (re)connect and on a slow poll the node
// reads it again (`resync`), which covers a stream trimmed past its last id or a Redis that lost it.
import { randomUUID } from 'node:crypto';
import type { Change, ChangeFeed } from '../../../app/ports.js';
import type { EntityType, SenderRef } from '../../../domain/sender.js';
import type { RedisConnection } from './connection.js';
import { DEFAULT_PREFIX } from './keys.js';

export interface RedisChangeFeedOptions {
  readonly prefix?: string;
  /**
   * Reads the durable state again and returns the changes that bring a node's caches in step (the
   * composition supplies it from the durable store). Called on start, after every reconnect, every `pollMs`.
   */
  readonly resync?: () => Promise<readonly Change[]>;
  /** The slow poll that bounds staleness if a signal is ever lost. */
  readonly pollMs?: number;
  /** How long one XREAD waits for news before asking again. */
  readonly blockMs?: number;
  /** Entries kept in the stream (approximately): a node away longer than that many changes resyncs. */
  readonly maxLen?: number;
  readonly onError?: (what: string, err: unknown) => void;
}

const DEFAULTS = { pollMs: 30_000, blockMs: 5_000, maxLen: 10_000 };
/** Waits before reading again after a failure, doubling up to 2 s (node-redis reconnects meanwhile). */
const RETRY_MS = [50, 100, 200, 400, 800, 1_600, 2_000];

export class RedisChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly key: string;
  /** Marks this node's entries, which its listeners already saw when they were published. */
  private readonly origin = randomUUID();
  private lastId: string | undefined;
  private closed = false;
  private poller: NodeJS.Timeout | undefined;
  private retry: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly redis: RedisConnection,
    private readonly reader: RedisConnection,
    private readonly o: RedisChangeFeedOptions,
  ) {
    this.key = `${o.prefix ?? DEFAULT_PREFIX}changes`;
  }

  /**
   * Starts reading on a connection of its own (a blocked XREAD must not hold up the counters), once the
   * durable state has been read: a node answers nothing before it is in step.
   */
  static async start(redis: RedisConnection, o: RedisChangeFeedOptions = {}): Promise<RedisChangeFeed> {
    const blockMs = o.blockMs ?? DEFAULTS.blockMs;
    const reader = await redis.duplicate({ commandTimeoutMs: blockMs + redis.commandTimeoutMs });
    const feed = new RedisChangeFeed(redis, reader, o);
    try {
      await feed.catchUp();
    } catch (err) {
      await reader.close();
      throw err;
    }
    feed.loop = feed.run(blockMs);
    feed.poller = setInterval(() => void feed.resync(), o.pollMs ?? DEFAULTS.pollMs);
    feed.poller.unref();
    return feed;
  }

  subscribe(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Tells every node of a change the durable store has committed: this node's listeners at once (with
   * the new restriction, as the port promises), the others through the stream. Rejects when Redis does;
   * the other nodes then catch up on their next resync.
   */
  async publish(change: Change): Promise<void> {
    this.emit(change);
    const s = 'sender' in change ? change.sender : undefined;
    const fields = ['o', this.origin, 'k', change.kind, 't', s?.tenantId ?? '', 'y', s?.type ?? '', 'i', s?.identity ?? ''];
    await this.redis.command(this.key, ['XADD', this.key, 'MAXLEN', '~', String(this.o.maxLen ?? DEFAULTS.maxLen), '*', ...fields]);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry.wake();
    }
    await this.reader.close();
    await this.loop;
  }

  private async run(blockMs: number): Promise<void> {
    let failures = 0;
    let caughtUp = true;
    while (!this.closed) {
      try {
        if (!caughtUp) {
          await this.catchUp();
          caughtUp = true;
        }
        const from = this.lastId ?? '0-0';
        const reply = await this.reader.command<unknown>(this.key, ['XREAD', 'COUNT', '100', 'BLOCK', String(blockMs), 'STREAMS', this.key, from]);
        for (const [id, fields] of entriesOf(reply)) {
          this.lastId = id;
          const change = parse(fields, this.origin);
          if (change) this.emit(change);
        }
        failures = 0;
      } catch (err) {
        if (this.closed) return;
        caughtUp = false;
        this.o.onError?.('reading the change stream failed (reconnecting; the state is read again then)', err);
        await this.pause(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!);
      }
    }
  }

  /**
   * On start and after a reconnect: learn where the stream is before reading the durable state, so
   * nothing committed in between is missed; the next XREAD replays from there.
   */
  private async catchUp(): Promise<void> {
    this.lastId ??= await this.tailId();
    await this.resync(true);
  }

  /** The id of the newest entry, or 0-0 for an empty stream. */
  private async tailId(): Promise<string> {
    const last = await this.reader.command<unknown[]>(this.key, ['XREVRANGE', this.key, '+', '-', 'COUNT', '1']);
    const first = last[0] as [string, unknown] | undefined;
    return first ? String(first[0]) : '0-0';
  }

  private async resync(rethrow = false): Promise<void> {
    if (!this.o.resync || this.closed) return;
    try {
      for (const c of await this.o.resync()) this.emit(c);
    } catch (err) {
      if (rethrow) throw err;
      this.o.onError?.('reading the durable state again failed (tried again on the next poll)', err);
    }
  }

  private emit(c: Change): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch (err) {
        this.o.onError?.('a change listener failed', err);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.retry = { timer: setTimeout(resolve, ms), wake: resolve };
    });
  }
}

/** XREAD's reply as [id, flat fields] pairs, whether RESP2 (arrays) or RESP3 (a map of streams). */
function entriesOf(reply: unknown): Array<[string, string[]]> {
  if (reply === null || reply === undefined) return [];
  const streams: unknown[] = Array.isArray(reply) ? reply.map((s) => (s as unknown[])[1]) : reply instanceof Map ? [...reply.values()] : Object.values(reply as object);
  const out: Array<[string, string[]]> = [];
  for (const entries of streams) {
    for (const e of entries as Array<[unknown, unknown[]]>) out.push([String(e[0]), e[1].map(String)]);
  }
  return out;
}

function parse(flat: readonly string[], self: string): Change | undefined {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i]!, flat[i + 1]!);
  if (f.get('o') === self) return undefined;
  const kind = f.get('k');
  if (kind === 'directory') return { kind };
  const type = f.get('y');
  if (type !== 'Mailbox' && type !== 'Connector') return undefined;
  const sender: SenderRef = { tenantId: f.get('t') ?? '', type: type as EntityType, identity: f.get('i') ?? '' };
  if (kind === 'restriction') return { kind, sender };
  if (kind === 'windows-reset') return { kind, sender };
  return undefined;
}
