// The counters contract on a throwaway Redis (two connections play two nodes), and what only a shared
// counter store must do: scripts reloaded after SCRIPT FLUSH, memory kept small per sender.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { redisCountersHarness, startRedis, type ThrowawayRedis } from '../../../../test/support/redis.js';
import { NO_CAPS } from '../../../app/ports.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { countersContract } from '../counters.contract.js';

let server: ThrowawayRedis;
let tests = 0;
before(async () => {
  server = await startRedis();
});
after(async () => {
  await server.stop();
});

const harness = (t: TestContext) => redisCountersHarness(t, { url: server.url }, `t${++tests}:`);

countersContract('redis', harness, { shared: true });

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
  const all: string[] = [];
  for await (const k of redis.scan(`${prefix}*`)) all.push(k);
  // The active index is shared by many senders: apart, with a TTL of its own, and trimmed by active().
  const index = all.filter((k) => k.startsWith(`${prefix}a{`));
  assert.equal(index.length, 1, all.join(', '));
  assert.deepEqual(await redis.command<string[]>(index[0], ['ZRANGE', index[0]!, '0', '-1']), [senderKey(bob)]);
  assert.ok((await redis.command<number>(index[0], ['PTTL', index[0]!])) > 0, 'the index has a TTL');
  const keys = all.filter((k) => !index.includes(k));
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

test('[redis] active() reads the index, not the keyspace, and trims senders with nothing left in their windows', async (t) => {
  const { counters, redis, prefix } = await harness(t);
  const carol: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'carol@contract.test' };
  await counters.commit({ sender: bob, key: senderKey(bob), message: 'b1', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  // A second commit within the hour costs no second index write: bob's score stays at his first.
  await counters.commit({ sender: bob, key: senderKey(bob), message: 'b2', at: T + 60_000, counts: { external: 1, internal: 0, messages: 1 } }, []);
  await counters.commit({ sender: carol, key: senderKey(carol), message: 'c1', at: T + 2 * 3_600_000, counts: { external: 2, internal: 0, messages: 1 } }, []);
  // Other keys under the prefix are never read as senders.
  await redis.command(`${prefix}w{junk}`, ['HSET', `${prefix}w{junk}`, 'm1', '1:0:1']);
  const at = async (now: number) => [...(await counters.active(now))].map((a) => `${a.sender.identity}:${a.totals.recipientsLast24h}`).sort();
  assert.deepEqual(await at(T + 3 * 3_600_000), ['bob@contract.test:2', 'carol@contract.test:2']);
  const members = async () => {
    const out: string[] = [];
    for (let shard = 0; shard < 16; shard++) out.push(...(await redis.command<unknown[]>(`${prefix}a{active:${shard}}`, ['ZRANGE', `${prefix}a{active:${shard}}`, '0', '-1', 'WITHSCORES'])).flat().map(String));
    return out;
  };
  assert.ok((await members()).includes(String(T)), "bob's score is his first commit's");
  // A day and a bit later bob's window is empty and his index entry is trimmed; carol's is not yet.
  assert.deepEqual(await at(T + 25.5 * 3_600_000), ['carol@contract.test:2']);
  assert.ok(!(await members()).includes(senderKey(bob)), 'bob trimmed from the index');
  assert.ok((await members()).includes(senderKey(carol)));
});
