// The counters contract on a throwaway 3-shard Redis Cluster: the scripts name every key in KEYS and
// share one hash tag per sender, so the cluster runs them; active() scans every shard.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { redisCountersHarness, startRedisCluster, type ThrowawayCluster } from '../../../../test/support/redis.js';
import { NO_CAPS } from '../../../app/ports.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { countersContract } from '../counters.contract.js';

let cluster: ThrowawayCluster;
let tests = 0;
before(async () => {
  cluster = await startRedisCluster(3);
});
after(async () => {
  await cluster?.stop();
});

countersContract('redis-cluster', (t) => redisCountersHarness(t, { cluster: cluster.rootNodes }, `c${++tests}:`), { shared: true });

test('[redis-cluster] senders spread over the shards, and active() finds every sender on each', async (t) => {
  const { counters, redis } = await redisCountersHarness(t, { cluster: cluster.rootNodes }, 'spread:');
  const T = Date.UTC(2026, 10, 28, 9, 0, 0);
  // Names as varied as real ones: CRC16 maps names differing only in a digit to neighbouring slots.
  const senders: SenderRef[] = Array.from({ length: 30 }, (_, i) => ({ tenantId: 'default', type: 'Mailbox', identity: `${createHash('sha1').update(String(i)).digest('hex').slice(0, 8)}@spread.test` }));
  await Promise.all(
    senders.map(async (s) => {
      await counters.reserve({ sender: s, key: senderKey(s), message: `m-${s.identity}`, recipient: 'a@x.test', internal: false, now: T, caps: NO_CAPS });
      await counters.commit({ sender: s, key: senderKey(s), message: `m-${s.identity}`, at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
    }),
  );
  // redis-cli --cluster create gives three masters 0-5460, 5461-10922, 10923-16383.
  const slots = await Promise.all(senders.map((s) => redis.command<number>(undefined, ['CLUSTER', 'KEYSLOT', `spread:w{${senderKey(s)}}`])));
  const owners = new Set(slots.map((slot) => (Number(slot) <= 5460 ? 0 : Number(slot) <= 10922 ? 1 : 2)));
  assert.equal(owners.size, 3, 'the senders live on all three shards');
  const active = [...(await counters.active(T))];
  assert.equal(active.length, 30);
  assert.ok(active.every((a) => a.totals.externalLastHour === 1));
});
