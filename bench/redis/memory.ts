// Redis memory per tracked sender: N senders each send one message (reserve + commit) on a throwaway
// Redis, then INFO memory's used_memory growth per sender and MEMORY USAGE of sample keys, right after
// the commit and once the transient fields (commit marker, message-rate second) are pruned.
// Usage: node --import tsx bench/redis/memory.ts [senders=100000]
import { startRedis } from '../../test/support/redis.js';
import { NO_CAPS } from '../../src/app/ports.js';
import { RedisConnection } from '../../src/adapters/store/redis/connection.js';
import { RedisCounters } from '../../src/adapters/store/redis/sending-counters.js';
import { windowsKey } from '../../src/adapters/store/redis/keys.js';
import { senderKey, type SenderRef } from '../../src/domain/sender.js';

const N = Number(process.argv[2] ?? 100_000);
const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const BATCH = 1_000;

const server = await startRedis();
try {
  const redis = await RedisConnection.open({ url: server.url }, { commandTimeoutMs: 10_000 });
  const counters = new RedisCounters(redis);
  const used = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await redis.command<string>(undefined, ['INFO', 'memory']))![1]);
  const sender = (i: number): SenderRef => ({ tenantId: 'default', type: 'Mailbox', identity: `user${i}@example${i % 97}.test` });
  const before = await used();
  for (let i = 0; i < N; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, N - i) }, async (_, j) => {
        const s = sender(i + j);
        const key = senderKey(s);
        const message = `4Q${(i + j).toString(16).toUpperCase()}.1764320400.${i + j}`;
        await counters.reserve({ sender: s, key, message, recipient: 'rcpt@example.org', internal: false, now: T, caps: NO_CAPS });
        await counters.commit({ sender: s, key, message, at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
      }),
    );
  }
  const sample = windowsKey('og:', senderKey(sender(12_345)));
  const fresh = { perSender: ((await used()) - before) / N, key: await redis.command<number>(sample, ['MEMORY', 'USAGE', sample, 'SAMPLES', '0']) };
  // 16 minutes later: the commit markers and the message-rate seconds have left; the minute bucket stays.
  for (let i = 0; i < N; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => counters.totals(senderKey(sender(i + j)), '', T + 16 * 60_000)));
  }
  await redis.command(undefined, ['MEMORY', 'PURGE']).catch(() => undefined);
  const steady = { perSender: ((await used()) - before) / N, key: await redis.command<number>(sample, ['MEMORY', 'USAGE', sample, 'SAMPLES', '0']) };
  const encoding = await redis.command<string>(sample, ['OBJECT', 'ENCODING', sample]);
  const version = /redis_version:(\S+)/.exec(await redis.command<string>(undefined, ['INFO', 'server']))![1];
  console.log(`Redis ${version}, ${N} senders, one message each (key ~${sample.length} B, ${encoding}, with TTL)`);
  console.log(`right after the commit: ${fresh.perSender.toFixed(0)} B/sender (used_memory), MEMORY USAGE of one hash ${fresh.key} B`);
  console.log(`steady (16 min later):  ${steady.perSender.toFixed(0)} B/sender (used_memory), MEMORY USAGE of one hash ${steady.key} B`);
  await redis.close();
} finally {
  await server.stop();
}
