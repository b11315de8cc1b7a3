// Redis hung or gone: every counters call rejects within the command timeout with the store-unavailable
// error, so the policy server applies policy.failMode (closed: Postfix gets its 4xx). No offline queue
// holds a decision until Redis comes back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRedis } from '../../../../test/support/redis.js';
import { NO_CAPS } from '../../../app/ports.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { isOutgateError } from '../../../errors.js';
import { RedisConnection } from './connection.js';
import { RedisCounters } from './sending-counters.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const carol: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'carol@down.test' };
const TIMEOUT_MS = 300;

async function rejectsWithin(what: string, call: () => Promise<unknown>, ms: number): Promise<void> {
  const started = performance.now();
  await assert.rejects(call(), (err: unknown) => isOutgateError(err) && err.code === 'OG_ERR_STORE_UNAVAILABLE', what);
  const took = performance.now() - started;
  assert.ok(took < ms, `${what}: rejected after ${Math.round(took)} ms, expected < ${ms} ms`);
}

test('[redis] a reply that came while this process was stalled past the timeout is taken, not called a timeout', async (t) => {
  const server = await startRedis();
  t.after(() => server.stop());
  const redis = await RedisConnection.open({ url: server.url }, { commandTimeoutMs: 50, connectTimeoutMs: TIMEOUT_MS });
  t.after(() => redis.close());
  const asked = redis.command<string>(undefined, ['PING']);
  // Once the command is written (before any setImmediate runs), the event loop blocks for four times the
  // timeout: Redis answers within it, and the timer expires within it.
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      const until = performance.now() + 200;
      while (performance.now() < until) {
        // busy: nothing else runs
      }
      resolve();
    }),
  );
  assert.equal(await asked, 'PONG');
});

test('[redis] a hung Redis, then a stopped one: counters reject within the timeout, with store-unavailable', async (t) => {
  const server = await startRedis();
  t.after(() => server.stop());
  const redis = await RedisConnection.open({ url: server.url }, { commandTimeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS });
  t.after(() => redis.close());
  const counters = new RedisCounters(redis, { prefix: 'down:' });
  const reserve = () => counters.reserve({ sender: carol, key: senderKey(carol), message: 'm', recipient: 'a@x.test', internal: false, now: T, caps: NO_CAPS });
  assert.equal((await reserve()).reserved, true);

  server.pause();
  await rejectsWithin('reserve on a hung Redis', reserve, TIMEOUT_MS + 500);
  await rejectsWithin('commit on a hung Redis', () => counters.commit({ sender: carol, key: senderKey(carol), message: 'm', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []), TIMEOUT_MS + 500);

  await server.stop();
  await rejectsWithin('reserve with Redis stopped', reserve, TIMEOUT_MS + 500);
  await rejectsWithin('totals with Redis stopped', () => counters.totals(senderKey(carol), '', T), TIMEOUT_MS + 500);
  await rejectsWithin('active() with Redis stopped', () => counters.active(T), TIMEOUT_MS + 500);
});
