// Throwaway Redis servers for tests: one standalone server, or a 3-shard cluster, on random free loopback
// ports in a temp dir, with no persistence, stopped by their own PID (never the machine's Redis on 6379).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import type { HourlyCount } from '../../src/app/ports.js';
import type { CountersHarness } from '../../src/adapters/store/counters.contract.js';
import { RedisConnection, type RedisTarget } from '../../src/adapters/store/redis/connection.js';
import { RedisCounters, type SendRecord } from '../../src/adapters/store/redis/sending-counters.js';
import { senderKey, type SenderRef } from '../../src/domain/sender.js';

const run = promisify(execFile);

/**
 * Redis keeps real time, as it would on another host: under a moved clock (libfaketime, preloaded by
 * scripts/test-shifted-clock.sh) redis-server does not start, and cluster nodes that gossip on it never form.
 */
const REAL_CLOCK_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME')));

export interface ThrowawayRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** SIGSTOP: the server keeps its socket but answers nothing (a hung Redis). */
  pause(): void;
  resume(): void;
  /** Kills the server (SIGKILL by PID) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface ThrowawayCluster {
  readonly nodes: readonly ThrowawayRedis[];
  readonly rootNodes: ReadonlyArray<{ url: string }>;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 now (and, for a cluster node, its bus port +10000 as well). */
async function freePort(withBus = false): Promise<number> {
  for (;;) {
    const port = withBus ? 20_000 + Math.floor(Math.random() * 20_000) : await listenFree(0);
    if (!withBus) return port;
    if ((await listenFree(port).catch(() => 0)) && (await listenFree(port + 10_000).catch(() => 0))) return port;
  }
}

function listenFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Starts redis-server and resolves once it logs that it accepts connections (no sleeps). */
function spawnRedis(port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', '', '--daemonize', 'no', ...extra];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], env: REAL_CLOCK_ENV });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`redis-server on ${port} did not start within 10 s:\n${log}`)), 10_000);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`redis-server on ${port} exited (${code}):\n${log}`)));
    child.stdout!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(child);
      }
    });
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  });
}

async function startNode(extra: string[], withBus: boolean, fixedPort?: number): Promise<ThrowawayRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'outgate-redis-'));
  let lastError: unknown;
  // The port may be taken between finding it free and redis-server binding it: try another.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = fixedPort ?? (await freePort(withBus));
    try {
      const child = await spawnRedis(port, dir, extra);
      const pid = child.pid!;
      let stopped = false;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        pid,
        pause: () => process.kill(pid, 'SIGSTOP'),
        resume: () => process.kill(pid, 'SIGCONT'),
        stop: async () => {
          if (!stopped) {
            stopped = true;
            process.kill(pid, 'SIGKILL');
            await exited;
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/** On `port` when given: a Redis restarted where its clients expect it (empty: nothing is saved). */
export function startRedis(port?: number): Promise<ThrowawayRedis> {
  return startNode([], false, port);
}

/** Three masters, no replicas, every slot assigned; resolves once each node reports cluster_state:ok. */
export async function startRedisCluster(shards = 3): Promise<ThrowawayCluster> {
  const nodes: ThrowawayRedis[] = [];
  const stop = async (): Promise<void> => {
    for (const n of nodes) await n.stop();
  };
  try {
    for (let i = 0; i < shards; i++) nodes.push(await startNode(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'], true));
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000, env: REAL_CLOCK_ENV });
    const deadline = Date.now() + 15_000;
    for (const n of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(n.port), 'cluster', 'info'], { env: REAL_CLOCK_ENV });
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${n.port} not ok:\n${stdout}`);
        // Gossip settles in a few ms; asking again is a condition wait, not a timed sleep.
        await new Promise((r) => setImmediate(r));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, rootNodes: nodes.map((n) => ({ url: n.url })), stop };
}

/**
 * Redis counters for one test under their own key prefix, with an in-memory durable record (the durable
 * store is another backend's), and a second connection as another node. Connections close with the test.
 */
export async function redisCountersHarness(t: TestContext, target: RedisTarget, prefix: string): Promise<CountersHarness & { redis: RedisConnection; prefix: string }> {
  const sends: SendRecord[] = [];
  const record = async (s: readonly SendRecord[]): Promise<void> => {
    sends.push(...s);
  };
  const redis = await RedisConnection.open(target);
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
