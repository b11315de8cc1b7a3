// The Redis counters as one process of a shared store holds them: one connection, opened at its first
// need, giving the server its counters and any process (a cmdlet too) the windows reset of its unblocks.
import type { SendingCounters } from '../../../app/ports.js';
import type { DomainEvent } from '../../../domain/events.js';
import type { SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import { RedisConnection, type RedisOptions, type RedisTarget } from './connection.js';
import { RedisCounters, type SendRecord } from './sending-counters.js';

export interface SharedRedisOptions extends RedisOptions {
  /** Key prefix: one install (or one test) per prefix on a shared Redis. */
  readonly prefix?: string;
  readonly reservationTtlMs?: number;
}

export class SharedRedisCounters {
  private connection: Promise<RedisConnection> | undefined;

  constructor(
    private readonly target: RedisTarget,
    private readonly o: SharedRedisOptions = {},
  ) {}

  /**
   * Connects now: a server that cannot reach Redis at start says so and exits, instead of listening
   * and deferring every message.
   */
  async open(record: (sends: readonly SendRecord[], events: readonly DomainEvent[]) => Promise<void>): Promise<SendingCounters> {
    return this.counters(await this.connect(), record);
  }

  /** Lazy: a cmdlet that only reads never needs Redis, so it still works while Redis is down. */
  async resetWindows(sender: SenderRef): Promise<void> {
    await this.counters(await this.connect()).resetWindows(sender);
  }

  async close(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    await (await c?.catch(() => undefined))?.close();
  }

  private counters(redis: RedisConnection, record?: (sends: readonly SendRecord[], events: readonly DomainEvent[]) => Promise<void>): RedisCounters {
    return new RedisCounters(redis, {
      ...(this.o.prefix !== undefined ? { prefix: this.o.prefix } : {}),
      ...(this.o.reservationTtlMs !== undefined ? { reservationTtlMs: this.o.reservationTtlMs } : {}),
      ...(record ? { record } : {}),
    });
  }

  /** One connection for the process; a failed attempt is forgotten so the next call tries again. */
  private connect(): Promise<RedisConnection> {
    this.connection ??= RedisConnection.open(this.target, this.o).catch((err: unknown) => {
      this.connection = undefined;
      throw new OutgateError(Errors.STORE_UNAVAILABLE, `Cannot connect to Redis (store.redisUrl): ${err instanceof Error ? err.message : String(err)}.`);
    });
    return this.connection;
  }
}
