// Redis memory per tracked sender: N senders each send one message (reserve + commit) on a throwaway
// Redis, then INFO memory's used_memory growth per sender and MEMORY USAGE of sample keys, right after
// the commit and once the transient fields (commit marker, message-rate second) are pruned; then the
// steady figure broken down by taking parts away: any index keys (DEL), the keys' TTLs (PERSIST).
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
const PREFIX = 'og:';

const server = await startRedis();
try {
  const redis = await RedisConnection.open({ url: server.url }, { commandTimeoutMs: 60_000 });
  const counters = new RedisCounters(redis, { prefix: PREFIX });
  const info = async (field: string): Promise<number> => Number(new RegExp(`${field}:(\\d+)`).exec(await redis.command<string>(undefined, ['INFO', 'memory']))![1]);
  const used = (): Promise<number> => info('used_memory');
  const sender = (i: number): SenderRef => ({ tenantId: 'default', type: 'Mailbox', identity: `user${i}@example${i % 97}.test` });
  const each = async (f: (i: number) => Promise<unknown>): Promise<void> => {
    for (let i = 0; i < N; i += BATCH) await Promise.all(Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => f(i + j)));
  };
  const usage = (key: string): Promise<number> => redis.command<number>(key, ['MEMORY', 'USAGE', key, 'SAMPLES', '0']);
  const perSender = (bytes: number): string => (bytes / N).toFixed(1);
  const before = await used();
  await each(async (i) => {
    const s = sender(i);
    const key = senderKey(s);
    const message = `4Q${i.toString(16).toUpperCase()}.1764320400.${i}`;
    await counters.reserve({ sender: s, key, message, recipient: 'rcpt@example.org', internal: false, now: T, caps: NO_CAPS });
    await counters.commit({ sender: s, key, message, at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  });
  const sample = windowsKey(PREFIX, senderKey(sender(12_345)));
  const fresh = { perSender: ((await used()) - before) / N, key: await usage(sample) };
  // 16 minutes later: the commit markers and the message-rate seconds have left; the minute bucket stays.
  await each((i) => counters.totals(senderKey(sender(i)), '', T + 16 * 60_000));
  await redis.command(undefined, ['MEMORY', 'PURGE']).catch(() => undefined);
  const steadyUsed = await used();
  const steady = { perSender: (steadyUsed - before) / N, key: await usage(sample) };
  const encoding = await redis.command<string>(sample, ['OBJECT', 'ENCODING', sample]);
  const version = /redis_version:(\S+)/.exec(await redis.command<string>(undefined, ['INFO', 'server']))![1];
  const keys = Number(/keys=(\d+)/.exec(await redis.command<string>(undefined, ['INFO', 'keyspace']))?.[1] ?? 0);
  const hashes = await (async () => {
    let sum = 0;
    for (let i = 0; i < N; i += 97) sum += await usage(windowsKey(PREFIX, senderKey(sender(i))));
    return sum / Math.ceil(N / 97);
  })();

  // Breakdown of the steady figure: every key that is not a sender's hash (an index), then the TTLs.
  const others: string[] = [];
  for await (const k of redis.scan('*')) if (!k.startsWith(`${PREFIX}w{`)) others.push(k);
  const otherUsage = (await Promise.all(others.map(usage))).reduce((a, b) => a + b, 0);
  const otherEncodings = [...new Set(await Promise.all(others.map((k) => redis.command<string>(k, ['OBJECT', 'ENCODING', k]))))].join(', ') || '–';
  const withOthers = await used();
  for (const k of others) await redis.command(k, ['DEL', k]);
  await redis.command(undefined, ['MEMORY', 'PURGE']).catch(() => undefined);
  const withoutOthers = await used();
  await each((i) => redis.command(undefined, ['PERSIST', windowsKey(PREFIX, senderKey(sender(i)))]));
  await redis.command(undefined, ['MEMORY', 'PURGE']).catch(() => undefined);
  const withoutTtl = await used();

  console.log(`Redis ${version}, ${N} senders, one message each (key ${sample.length} B, ${encoding}, with TTL), ${keys} keys in db0`);
  console.log(`right after the commit: ${fresh.perSender.toFixed(0)} B/sender (used_memory), MEMORY USAGE of one hash ${fresh.key} B`);
  console.log(`steady (16 min later):  ${steady.perSender.toFixed(0)} B/sender (used_memory), MEMORY USAGE of one hash ${steady.key} B`);
  console.log('steady, broken down (B/sender):');
  console.log(`  sender's hash, MEMORY USAGE (robj + listpack + key sds + main dictEntry), mean of every 97th: ${hashes.toFixed(1)}`);
  console.log(`  keys other than senders' hashes (${others.length}, ${otherEncodings}): MEMORY USAGE ${perSender(otherUsage)}, used_memory drop on DEL ${perSender(withOthers - withoutOthers)}`);
  console.log(`  TTL (expires dictEntry + its bucket), used_memory drop on PERSIST: ${perSender(withoutOthers - withoutTtl)}`);
  const rest = (steadyUsed - before - (withOthers - withoutOthers) - (withoutOthers - withoutTtl)) / N - hashes;
  console.log(`  rest (main dict buckets, allocator rounding): ${rest.toFixed(1)}`);
  await redis.close();
} finally {
  await server.stop();
}
