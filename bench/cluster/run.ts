// Cluster bench: decisions/s of 1, 2 and 3 nodes on one shared PostgreSQL + Redis against one embedded
// node in the same run, Redis round trips per decision, and unblock propagation p50/p99 to every node.
// Usage: node --import tsx bench/cluster/run.ts [--duration-ms 10000] [--connections 8] [--unblocks 50]
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PolicyClient } from '../../src/adapters/postfix-policy/client.js';
import { RedisConnection } from '../../src/adapters/store/redis/connection.js';
import { startPostgres } from '../../test/support/postgres.js';
import { startRedis } from '../../test/support/redis.js';
import { runLoad, type LoadResult } from '../policy/load.js';
import { HOST, freePort, makeTempDir, removeDir, spawnLogged, stopper, tail, waitReady } from '../policy/servers/common.js';
import { outgate } from '../policy/servers/outgate.js';

const run = promisify(execFile);
const BIN = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'outgate.js');
// The highest a policy allows: with 10,000 senders the admit path is what runs.
const LIMIT = 10_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const durationMs = arg('duration-ms', 10_000);
const connections = arg('connections', 8);
const unblocks = arg('unblocks', 50);

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

/** Every command Redis has run so far (INFO commandstats), INFO itself left out. */
async function redisCalls(redis: RedisConnection): Promise<number> {
  const info = await redis.command<string>(undefined, ['INFO', 'commandstats']);
  let calls = 0;
  for (const m of String(info).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (m[1] !== 'info') calls += Number(m[2]);
  return calls;
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
  console.log(`cluster bench: ${durationMs} ms per point, ${connections} connections in all, ${unblocks} unblocks`);
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
        const calls: Partial<Record<'start' | 'end', Promise<number>>> = {};
        const r = await loadOn(nodes.map((x) => x.port), (edge) => (calls[edge] = redisCalls(redis)));
        const trips = ((await calls.end!) - (await calls.start!)) / r.decisions;
        console.log(`shared, ${n} node(s): ${r.perSec.toFixed(0)} decisions/s (${(r.perSec / base).toFixed(2)}× embedded), ~${trips.toFixed(2)} Redis round trips per decision${r.nonAdmit ? `, ${r.nonAdmit} not admitted` : ''}`);
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
    // Until one is refused: the first asks may come before node 0 has read the new rule.
    for (let k = 0; (await c.ask({ sasl_username: login, sender: login, instance: `${login}.${k}`, protocol_state: 'RCPT', recipient: `r${k}@example.com`, client_address: HOST })) === 'action=DUNNO'; k++) {
      if (k > 1_000) throw new Error(`${login} was never restricted`);
    }
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
