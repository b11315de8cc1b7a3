// Changes reach every node: this one at once, the others through the stream well under a second, and a
// node that lost its connection reads the durable state again and replays what it missed.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { startRedis, type ThrowawayRedis } from '../../../../test/support/redis.js';
import type { Change } from '../../../app/ports.js';
import type { SenderRef } from '../../../domain/sender.js';
import { RedisChangeFeed, type RedisChangeFeedOptions } from './change-feed.js';
import { RedisConnection } from './connection.js';

let server: ThrowawayRedis;
let tests = 0;
before(async () => {
  server = await startRedis();
});
after(async () => {
  await server.stop();
});

const dave: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'dave@feed.test' };

/** Two nodes on one stream (their own prefix per test), closed with the test. */
async function nodes(t: TestContext, o: RedisChangeFeedOptions = {}): Promise<{ a: RedisChangeFeed; b: RedisChangeFeed; redis: RedisConnection }> {
  const prefix = `f${++tests}:`;
  const redis = await RedisConnection.open({ url: server.url });
  const a = await RedisChangeFeed.start(redis, { prefix, blockMs: 1_000, onError: () => undefined });
  const b = await RedisChangeFeed.start(redis, { prefix, blockMs: 1_000, onError: () => undefined, ...o });
  t.after(async () => {
    await a.close();
    await b.close();
    await redis.close();
  });
  return { a, b, redis };
}

function next(feed: RedisChangeFeed, accept: (c: Change) => boolean, ms = 2_000): Promise<Change> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no matching change within ${ms} ms`))), ms);
    const off = feed.subscribe((c) => {
      if (!accept(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

test('[redis] a change reaches this node at once and every other node within a second (p99 of 200)', async (t) => {
  const { a, b } = await nodes(t);
  const own: Change[] = [];
  a.subscribe((c) => own.push(c));
  const restriction = { kind: 'windows-reset', sender: dave } as const;
  await a.publish(restriction);
  assert.deepEqual(own, [restriction], 'this node: synchronously, once (its own entry is not read back)');

  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const sender = { ...dave, identity: `u${i}@feed.test` };
    const seen = next(b, (c) => c.kind === 'restriction' && c.sender.identity === sender.identity);
    const started = performance.now();
    await a.publish({ kind: 'restriction', sender });
    assert.deepEqual(await seen, { kind: 'restriction', sender }, 'another node re-reads the state: no restriction attached');
    latencies.push(performance.now() - started);
  }
  latencies.sort((x, y) => x - y);
  const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
  t.diagnostic(`propagation p50 ${latencies[100]!.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
  assert.ok(p99 < 1_000, `p99 ${p99} ms`);
});

test('[redis] a node that lost its connection reads the durable state again and replays what it missed', async (t) => {
  let resyncs = 0;
  let resynced: () => void = () => undefined;
  const again = new Promise<void>((r) => (resynced = r));
  const { a, b, redis } = await nodes(t, {
    resync: async () => {
      if (++resyncs === 2) resynced();
      return [{ kind: 'directory' }];
    },
  });
  assert.equal(resyncs, 1, 'read once at start');
  const missed = next(b, (c) => c.kind === 'restriction');
  // Cut every other connection (b's reader among them), then publish while b is away.
  await redis.command(undefined, ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
  await a.publish({ kind: 'restriction', sender: dave });
  await again;
  assert.deepEqual(await missed, { kind: 'restriction', sender: dave });
});
