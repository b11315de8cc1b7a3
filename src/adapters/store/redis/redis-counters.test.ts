// The counters contract on a throwaway Redis (two connections play two nodes), and what only a shared
// counter store must do: scripts reloaded after SCRIPT FLUSH, memory kept small per sender, older hashes read.
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
  const keys: string[] = [];
  for await (const k of redis.scan(`${prefix}*`)) keys.push(k);
  // The windows and the open message's recipients; nothing shared by senders (no index).
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

test('[redis] active() finds the senders by their keys alone and leaves out those with nothing left in their windows', async (t) => {
  const { counters, redis, prefix } = await harness(t);
  const carol: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'carol@contract.test' };
  await counters.commit({ sender: bob, key: senderKey(bob), message: 'b1', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  await counters.commit({ sender: bob, key: senderKey(bob), message: 'b2', at: T + 60_000, counts: { external: 1, internal: 0, messages: 1 } }, []);
  await counters.commit({ sender: carol, key: senderKey(carol), message: 'c1', at: T + 2 * 3_600_000, counts: { external: 2, internal: 0, messages: 1 } }, []);
  // Other keys under the prefix, and another install's senders, are never read as this install's senders.
  await redis.command(`${prefix}w{junk}`, ['HSET', `${prefix}w{junk}`, '29405340', '1:0:1']);
  await counters.reserve({ sender: bob, key: senderKey(bob), message: 'open', recipient: 'a@x.test', internal: false, now: T + 3 * 3_600_000, caps: NO_CAPS });
  const other = `x${prefix}w{${senderKey(carol)}}`;
  await redis.command(other, ['HSET', other, String(Math.floor(T / 60_000)), '5:0:1']);
  const at = async (now: number) => [...(await counters.active(now))].map((a) => `${a.sender.identity}:${a.totals.recipientsLast24h}`).sort();
  assert.deepEqual(await at(T + 3 * 3_600_000), ['bob@contract.test:2', 'carol@contract.test:2']);
  // A day and a bit later (by the counters' clock; Redis keeps the keys) bob's window is empty; carol's is not yet.
  assert.deepEqual(await at(T + 25.5 * 3_600_000), ['carol@contract.test:2']);
});

test('[redis] a hash written before the minute fields lost their "m" (and with an active-index time) reads the same, and is tidied', async (t) => {
  const { counters, redis, prefix } = await harness(t);
  const key = `${prefix}w{${senderKey(bob)}}`;
  const minute = Math.floor(T / 60_000);
  await redis.command(key, ['HSET', key, `m${minute - 1}`, '2:1:1', `m${minute - 1441}`, '9:9:9', 'i', String(T - 60_000)]);
  await counters.commit({ sender: bob, key: senderKey(bob), message: 'n1', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  assert.deepEqual(await counters.totals(senderKey(bob), '', T + 1000), { externalLastHour: 3, internalLastHour: 1, externalLast24h: 3, internalLast24h: 1, recipientsLast24h: 4, messagesLastMinute: 1 });
  const fields = (await redis.command<string[]>(key, ['HKEYS', key])).sort();
  assert.deepEqual(fields.filter((f) => !f.startsWith('c') && !f.startsWith('s')), [String(minute), `m${minute - 1}`], 'the stale bucket and "i" dropped, the old bucket kept until it ages out');
  assert.deepEqual([...(await counters.active(T + 1000))].map((a) => a.totals.recipientsLast24h), [4]);
});

test('[redis] one sender at steady state holds one small listpack hash (the memory goal: <= 200 B per sender all-in)', async (t) => {
  const { counters, redis, prefix } = await harness(t);
  await counters.reserve({ sender: bob, key: senderKey(bob), message: 'q1', recipient: 'a@x.test', internal: false, now: T, caps: NO_CAPS });
  await counters.commit({ sender: bob, key: senderKey(bob), message: 'q1', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  // 16 minutes later the commit marker and the message-rate second are gone: the minute bucket is left.
  await counters.totals(senderKey(bob), '', T + 16 * 60_000);
  const key = `${prefix}w{${senderKey(bob)}}`;
  assert.deepEqual(await redis.command<string[]>(key, ['HKEYS', key]), [String(Math.floor(T / 60_000))]);
  assert.equal(await redis.command<string>(key, ['OBJECT', 'ENCODING', key]), 'listpack');
  // robj + listpack + key + dict entry: 120 B on Redis 7.0 for this 40 B key (136 with the old "m" and "i" fields);
  // the TTL and the dicts' buckets add ~50 B (bench/redis/memory.ts).
  const usage = await redis.command<number>(key, ['MEMORY', 'USAGE', key, 'SAMPLES', '0']);
  assert.ok(usage <= 130, `MEMORY USAGE ${usage} B`);
});
