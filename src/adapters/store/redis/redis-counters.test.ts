// The counters contract on a throwaway Redis (two connections play two nodes), and what only a shared
// counter store must do: scripts reloaded after SCRIPT FLUSH, memory kept small per sender.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { startRedis, type ThrowawayRedis } from '../../../../test/support/redis.js';
import type { HourlyCount } from '../../../app/ports.js';
import { NO_CAPS } from '../../../app/ports.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { countersContract, type CountersHarness } from '../counters.contract.js';
import { RedisConnection } from './connection.js';
import { RedisCounters, type SendRecord } from './sending-counters.js';

let server: ThrowawayRedis;
let tests = 0;
before(async () => {
  server = await startRedis();
});
after(async () => {
  await server.stop();
});

/** Fresh counters on the shared server: a key prefix of their own, connections closed with the test. */
async function harness(t: TestContext): Promise<CountersHarness & { redis: RedisConnection; prefix: string }> {
  const prefix = `t${++tests}:`;
  const sends: SendRecord[] = [];
  const record = async (s: readonly SendRecord[]): Promise<void> => {
    sends.push(...s);
  };
  const redis = await RedisConnection.open({ url: server.url });
  const opened = [redis];
  t.after(async () => {
    for (const c of opened) await c.close();
  });
  const counters = new RedisCounters(redis, { prefix, record });
  return {
    redis,
    prefix,
    counters,
    resetWindows: (sender) => counters.resetWindows(sender),
    async history(sender: SenderRef, fromHour: number): Promise<HourlyCount[]> {
      const hours = new Map<number, { external: number; internal: number; messages: number }>();
      for (const s of sends) {
        const hour = Math.floor(s.at / 3_600_000);
        if (senderKey(s.sender) !== senderKey(sender) || hour < fromHour) continue;
        const h = hours.get(hour) ?? { external: 0, internal: 0, messages: 0 };
        hours.set(hour, { external: h.external + s.counts.external, internal: h.internal + s.counts.internal, messages: h.messages + s.counts.messages });
      }
      return [...hours].sort((a, b) => a[0] - b[0]).map(([hour, c]) => ({ hour, ...c }));
    },
    async otherNode() {
      const other = await redis.duplicate();
      opened.push(other);
      return new RedisCounters(other, { prefix, record });
    },
  };
}

countersContract('redis', harness);

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const bob: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'bob@contract.test' };

test('[redis] a script flushed from the server is loaded again on its next call (NOSCRIPT → EVAL)', async (t) => {
  const { counters, redis } = await harness(t);
  const ask = (n: number) => counters.reserve({ sender: bob, key: senderKey(bob), message: `f${n}`, recipient: 'a@x.test', internal: false, now: T, caps: NO_CAPS });
  assert.equal((await ask(1)).reserved, true);
  await redis.command(undefined, ['SCRIPT', 'FLUSH']);
  assert.equal((await ask(2)).reserved, true);
  assert.equal((await counters.totals(senderKey(bob), '', T)).externalLastHour, 2);
});

test("[redis] a sender's keys share one hash tag and each has a TTL, so an idle sender leaves nothing behind", async (t) => {
  const { counters, redis, prefix } = await harness(t);
  await counters.reserve({ sender: bob, key: senderKey(bob), message: 'm', recipient: 'a@x.test', internal: false, now: T, caps: NO_CAPS });
  await counters.commit({ sender: bob, key: senderKey(bob), message: 'm2', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  const keys: string[] = [];
  for await (const k of redis.scan(`${prefix}*`)) keys.push(k);
  assert.equal(keys.length, 2, keys.join(', '));
  const slots = await Promise.all(keys.map((k) => redis.command<number>(undefined, ['CLUSTER', 'KEYSLOT', k]).catch(() => tagOf(k))));
  assert.equal(new Set(slots.map(String)).size, 1, 'one slot for every key of a sender');
  for (const k of keys) assert.ok((await redis.command<number>(k, ['PTTL', k])) > 0, `${k} has a TTL`);
});

/** The hash tag as Redis reads it: from the first '{' to the next '}'. */
function tagOf(key: string): string {
  const open = key.indexOf('{');
  return key.slice(open + 1, key.indexOf('}', open + 1));
}
