// Cluster bench: decisions/s of 1, 2 and 3 nodes on one shared PostgreSQL + Redis against one embedded
// node in the same run, Redis round trips per decision, and unblock propagation p50/p99 to every node.
// Then the memory and restart parts of the issue in the same run: Redis memory per sender
// (bench/redis/memory.ts at each of --memory-senders) and the embedded node at scale (bench/embedded/
// scale.ts: resident memory per sender, restart-to-answer with --tracked senders, kill -9).
// Usage: node --import tsx bench/cluster/run.ts [--duration-ms 10000] [--connections 8] [--unblocks 50]
//          [--memory-senders 100000,1000000] [--scale-senders 100000] [--tracked 1000000] [--settle 150]
//          [--throughput-only]   (the decisions/s and propagation parts alone)
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { PolicyClient, sendMessage } from '../../src/adapters/postfix-policy/client.js';
import { COUNTER_SCRIPTS } from '../../src/adapters/store/redis/counter-scripts.js';
import { RedisConnection } from '../../src/adapters/store/redis/connection.js';
import { startPostgres } from '../../test/support/postgres.js';
import { startRedis } from '../../test/support/redis.js';
import { runLoad, type LoadResult } from '../policy/load.js';
import { HOST, freePort, makeTempDir, removeDir, spawnLogged, stopper, tail, waitReady } from '../policy/servers/common.js';
import { outgate } from '../policy/servers/outgate.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'outgate.js');
// The highest a policy allows: with 10,000 senders the admit path is what runs.
const LIMIT = 10_000;

const { values: flags } = parseArgs({
  options: {
    'duration-ms': { type: 'string', default: '10000' },
    connections: { type: 'string', default: '8' },
    unblocks: { type: 'string', default: '50' },
    'memory-senders': { type: 'string', default: '100000,1000000' },
    'scale-senders': { type: 'string', default: '100000' },
    tracked: { type: 'string', default: '1000000' },
    settle: { type: 'string', default: '150' },
    'throughput-only': { type: 'boolean', default: false },
  },
});
const durationMs = Number(flags['duration-ms']);
const connections = Number(flags.connections);
const unblocks = Number(flags.unblocks);
const memorySenders = flags['memory-senders'].split(',').map(Number);
const scale = { senders: flags['scale-senders'], tracked: flags.tracked, settle: flags.settle };

interface SharedNode {
  port: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** `outgate start` on the shared store, ready once it answers a real policy request. */
async function startShared(env: NodeJS.ProcessEnv): Promise<SharedNode> {
  const dir = makeTempDir('cluster');
  const [port, httpPort] = [await freePort(), await freePort()];
  const log = join(dir, 'outgate.log');
  const child = spawnLogged(process.execPath, [BIN, 'start'], log, { ...env, OUTGATE_DATA_DIR: dir, OUTGATE_POLICY_LISTEN: `${HOST}:${port}`, OUTGATE_HTTP_LISTEN: `${HOST}:${httpPort}`, OUTGATE_MILTER_LISTEN: `${HOST}:0` });
  const pid = child.pid!;
  await waitReady(port, () => pid, 30_000).catch(async (e: Error) => {
    const why = `${e.message}: ${tail(log)}`;
    await stopper(pid, dir)();
    throw new Error(why);
  });
  return { port, httpPort, stop: stopper(pid, dir) };
}

/**
 * Commands the counter scripts run inside Redis. INFO commandstats counts those too (an EVALSHA that
 * runs HGETALL, HSET and PEXPIRE shows as four calls), which made an earlier run report ~8.7 "round
 * trips" per decision where the nodes sent ~1.3: round trips are the commands clients send.
 */
const INSIDE_SCRIPTS = new Set(Object.values(COUNTER_SCRIPTS).flatMap((d) => [...d.SCRIPT.matchAll(/redis\.call\('([A-Z]+)'/g)].map((m) => m[1]!.toLowerCase())));

/** Commands Redis has run so far (INFO commandstats): those clients sent, and all of them; the bench's own left out. */
async function redisCalls(redis: RedisConnection): Promise<{ sent: number; all: number }> {
  const info = await redis.command<string>(undefined, ['INFO', 'commandstats']);
  const out = { sent: 0, all: 0 };
  for (const m of String(info).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] === 'info' || m[1]!.startsWith('config')) continue;
    out.all += Number(m[2]);
    if (!INSIDE_SCRIPTS.has(m[1]!)) out.sent += Number(m[2]);
  }
  return out;
}

/** The load split across the nodes at once; its decisions summed. */
async function loadOn(ports: readonly number[], onWindow?: (edge: 'start' | 'end') => void): Promise<{ perSec: number; decisions: number; nonAdmit: number }> {
  const each = Math.max(1, Math.round(connections / ports.length));
  const results: LoadResult[] = await Promise.all(
    ports.map((port, i) => runLoad({ host: HOST, port, connections: each, senders: 10_000, warmupMs: 1_000, durationMs, seed: i + 1, ...(i === 0 && onWindow ? { onWindow } : {}) })),
  );
  return { perSec: results.reduce((a, r) => a + r.decisionsPerSec, 0), decisions: results.reduce((a, r) => a + r.decisions, 0), nonAdmit: results.reduce((a, r) => a + r.nonAdmit, 0) };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** MAIL-stage asks until the node admits: that stage reads only the restriction, never the counters. */
async function admitted(port: number, login: string): Promise<void> {
  const c = await PolicyClient.open(port, HOST);
  try {
    while ((await c.ask({ sasl_username: login, sender: login, instance: `p.${login}`, protocol_state: 'MAIL', client_address: HOST })) !== 'action=DUNNO');
  } finally {
    c.close();
  }
}

async function main(): Promise<void> {
  console.log(`cluster bench: ${durationMs} ms per point, ${connections} connections in all, ${unblocks} unblocks, Redis memory at ${memorySenders.join(', ')} senders, embedded scale at ${scale.senders} + ${scale.tracked} tracked`);
  const embedded = await outgate.start({ recipientsPerHour: LIMIT });
  let base: number;
  try {
    base = (await loadOn([embedded.port])).perSec;
  } finally {
    await embedded.stop();
  }
  console.log(`embedded, 1 node: ${base.toFixed(0)} decisions/s`);

  const [pg, redisServer] = await Promise.all([startPostgres(), startRedis()]);
  const redis = await RedisConnection.open({ url: redisServer.url });
  const home = makeTempDir('cluster-cli');
  try {
    for (const n of [1, 2, 3]) {
      const config = join(home, 'outgate.json');
      writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
      const env = { ...process.env, OUTGATE_DATABASE_URL: await pg.createDatabase(), OUTGATE_REDIS_URL: redisServer.url, OUTGATE_CONFIG: config, OUTGATE_LOG_LEVEL: 'warn' };
      const cli = (...a: string[]) => run(process.execPath, [BIN, ...a], { env: { ...env, OUTGATE_DATA_DIR: home } });
      await redis.command(undefined, ['FLUSHALL']);
      await cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', String(LIMIT), '-RecipientLimitInternalPerHour', String(LIMIT), '-RecipientLimitPerDay', String(LIMIT));
      // One recipient an hour at prop.test: the senders the propagation part restricts and unblocks.
      await cli('New-HostedOutboundSpamFilterPolicy', 'One', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser');
      await cli('New-HostedOutboundSpamFilterRule', 'One', '-HostedOutboundSpamFilterPolicy', 'One', '-SenderDomainIs', 'prop.test');
      const nodes = await Promise.all(Array.from({ length: n }, () => startShared(env)));
      try {
        const calls: Partial<Record<'start' | 'end', Promise<{ sent: number; all: number }>>> = {};
        const r = await loadOn(nodes.map((x) => x.port), (edge) => (calls[edge] = redisCalls(redis)));
        const [end, start] = [await calls.end!, await calls.start!];
        const trips = (end.sent - start.sent) / r.decisions;
        const commands = (end.all - start.all) / r.decisions;
        console.log(`shared, ${n} node(s): ${r.perSec.toFixed(0)} decisions/s (${(r.perSec / base).toFixed(2)}× embedded), ~${trips.toFixed(2)} Redis round trips per decision (~${commands.toFixed(1)} commands counting those inside scripts)${r.nonAdmit ? `, ${r.nonAdmit} not admitted` : ''}`);
        if (n === 3) await propagation(cli, nodes);
      } finally {
        await Promise.all(nodes.map((x) => x.stop()));
      }
    }
  } finally {
    await redis.close();
    removeDir(home);
    await redisServer.stop();
    await pg.stop();
  }
  if (flags['throughput-only']) return;
  // Its own throwaway Redis, after the nodes are gone: used_memory growth is then the senders' alone.
  for (const n of memorySenders) {
    const memory = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'redis', 'memory.ts'), String(n)], { cwd: ROOT, maxBuffer: 1 << 20 });
    process.stdout.write(memory.stdout);
  }
  const embeddedScale = await run(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'embedded', 'scale.ts'), '--senders', scale.senders, '--tracked', scale.tracked, '--settle', scale.settle],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  process.stdout.write(embeddedScale.stdout);
}

/** Restricts a sender, waits until every node refuses it, unblocks over node 0's API, times every node's admission. */
async function propagation(cli: (...a: string[]) => Promise<unknown>, nodes: readonly SharedNode[]): Promise<void> {
  await cli('New-AdminAccount', 'bench', '-Role', 'Security Administrator');
  const { stdout } = (await cli('New-ApiKey', 'bench', '--format', 'json')) as { stdout: string };
  const key = (JSON.parse(stdout) as { Secret: string }).Secret;
  const c = await PolicyClient.open(nodes[0]!.port, HOST);
  const times: number[] = [];
  for (let i = 0; i < unblocks; i++) {
    const login = `s${i}@prop.test`;
    // Two recipients of one message against a limit of one: the second restricts the sender. (One RCPT
    // per new instance never did: each new instance on a connection abandons the message before it,
    // freeing its hold, and nothing was ever committed, so the window never passed one.)
    const { rcpt } = await sendMessage(c, { login, to: ['r1@example.com', 'r2@example.com'], client: HOST });
    if (rcpt.at(-1) === 'action=DUNNO') throw new Error(`${login} was not restricted: ${rcpt.join(', ')}`);
    // Every node refuses it before the clock starts.
    for (const n of nodes) {
      const p = await PolicyClient.open(n.port, HOST);
      while ((await p.ask({ sasl_username: login, sender: login, instance: 'w', protocol_state: 'MAIL', client_address: HOST })) === 'action=DUNNO');
      p.close();
    }
    const started = performance.now();
    const res = await fetch(`http://${HOST}:${nodes[0]!.httpPort}/api/v1/restricted-entities/Mailbox/${login}/unblock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'bench' }),
    });
    if (res.status !== 200) throw new Error(`unblock answered ${res.status}: ${await res.text()}`);
    await Promise.all(nodes.map((n) => admitted(n.port, login)));
    times.push(performance.now() - started);
  }
  c.close();
  times.sort((a, b) => a - b);
  console.log(`unblock propagation (request → every node admits, ${times.length} unblocks, 3 nodes): p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`);
}

await main();
