// The embedded store at scale (issue 12): resident memory per tracked sender and restart-to-first-answer
// after kill -9, each against a baseline taken in the same run.
//   1. Memory: an idle node's RSS and heap, then `--senders` distinct senders each sending one message
//      (RCPT + END-OF-MESSAGE) over `--conns` connections, then RSS and heap again (and after a settle).
//   2. Restart: the node is stopped, `--tracked` more senders (one message each, spread over the last
//      23 h) are written into its store, and it is started again (cold start); traffic runs, the node
//      is killed with SIGKILL mid-traffic and started again: time from the kill to the first answer,
//      RSS with every sender tracked, and a check that every acknowledged message is in the store.
// `--bin` runs another build (e.g. a copy of the commit before) for the before figures.
import Database from 'better-sqlite3';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { eomRequest, rcptRequest } from '../policy/request.js';
import { HOST, freePort, makeTempDir, removeDir, spawnLogged, tail, waitReady, probe } from '../policy/servers/common.js';
import { alive, stopTree } from '../policy/proc.js';

const { values: flags } = parseArgs({
  options: {
    senders: { type: 'string', default: '100000' },
    tracked: { type: 'string', default: '1000000' },
    conns: { type: 'string', default: '8' },
    settle: { type: 'string', default: '70' },
    snapshot: { type: 'boolean', default: false },
    bin: { type: 'string', default: join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'outgate.js') },
  },
});
const senders = Number(flags.senders);
const tracked = Number(flags.tracked);
const conns = Number(flags.conns);
const settleS = Number(flags.settle);
const BIN = flags.bin;

const EOM = eomRequest(1);
const mb = (b: number): string => (b / 1048576).toFixed(0);
const rss = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? NaN) * 1024;

/** The node's V8 heap in use, from its metrics (the HTTP side listens a little after the policy server). */
async function heapUsed(httpPort: number): Promise<number> {
  for (let tries = 0; ; tries++) {
    try {
      const text = await (await fetch(`http://${HOST}:${httpPort}/metrics`)).text();
      return Number(/^outgate_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN);
    } catch (err) {
      if (tries === 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface Node {
  pid: number;
  policyPort: number;
  httpPort: number;
}

const dir = makeTempDir('scale');
const log = join(dir, 'outgate.log');
const policyPort = await freePort();
const httpPort = await freePort();
const config = join(dir, 'outgate.json');
writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
const env = {
  ...process.env,
  OUTGATE_DATA_DIR: join(dir, 'data'),
  OUTGATE_POLICY_LISTEN: `${HOST}:${policyPort}`,
  OUTGATE_MILTER_LISTEN: '',
  OUTGATE_HTTP_LISTEN: `${HOST}:${httpPort}`,
  OUTGATE_CONFIG: config,
  ...(flags.snapshot ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2` } : {}),
};

async function start(timeoutMs = 120_000): Promise<Node & { readyMs: number }> {
  const t0 = Date.now();
  const child = spawnLogged(process.execPath, [BIN, 'start'], log, env, dir);
  const pid = child.pid!;
  try {
    await waitReady(policyPort, () => pid, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${tail(log)}`);
  }
  return { pid, policyPort, httpPort, readyMs: Date.now() - t0 };
}

/** Polls with one real request every 20 ms from `since` until one is answered. */
async function firstAnswerAfter(since: number, pid: number): Promise<number> {
  for (;;) {
    if (!alive(pid)) throw new Error(`restarted node exited: ${tail(log)}`);
    try {
      await probe(policyPort, 1000);
      return Date.now() - since;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * Sends one message (one RCPT, then END-OF-MESSAGE) for each sender `${prefix}${from..to-1}` over
 * `conns` connections; `stop` ends it early. Returns the END-OF-MESSAGE replies admitted.
 */
async function drive(prefix: string, from: number, to: number, stop?: { now: boolean }): Promise<{ acked: number; sent: number }> {
  let next = from;
  let acked = 0;
  let sent = 0;
  const tag = `${process.pid.toString(16)}.${Date.now().toString(16)}`;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect({ host: HOST, port: policyPort, noDelay: true });
      let buf = '';
      let i = -1;
      let step = 0;
      const send = (): void => {
        if (step === 0) {
          if (next >= to || stop?.now) return void s.end();
          i = next++;
          sent++;
        }
        const who = `${prefix}${i}@outgate.test`;
        const v = { sender: who, sasl_username: who, instance: `${tag}.${i}`, recipient: step === 0 ? `rcpt${i % 1000}@example.net` : '' };
        s.write(step === 0 ? rcptRequest(v) : EOM(v), 'latin1');
      };
      s.on('connect', send);
      s.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        if (!buf.endsWith('\n\n')) return;
        if (step === 1 && /^action=(DUNNO|OK)/.test(buf)) acked++;
        buf = '';
        step = 1 - step;
        send();
      });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
  await Promise.all(Array.from({ length: conns }, one));
  return { acked, sent };
}

/** Writes `n` senders, one message each, a minute apart over the last 23 h, as the server applies them. */
function seed(n: number): number {
  const db = new Database(join(dir, 'data', 'outgate.db'));
  const nowMinute = Math.floor(Date.now() / 60_000);
  const insert = db.prepare('INSERT INTO sending_minutes (minute, tenant_id, entity_type, identity, external, internal, messages) VALUES (?, ?, ?, ?, 1, 0, 1)');
  const t0 = Date.now();
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(nowMinute - 1380 + Math.floor((i * 1380) / n), 'default', 'Mailbox', `seed${i}@outgate.test`);
  })();
  db.close();
  return Date.now() - t0;
}

function storedMessages(prefix: string): number {
  const db = new Database(join(dir, 'data', 'outgate.db'), { readonly: true });
  const row = db.prepare("SELECT COALESCE(SUM(messages), 0) AS n FROM sending_minutes WHERE identity LIKE ? || '%'").get(prefix) as { n: number };
  db.close();
  return row.n;
}

async function waitFor<T>(f: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let node: Node | undefined;
try {
  console.log(`scale: ${BIN}; ${senders} new senders over ${conns} connections, then ${tracked} tracked senders seeded`);
  const first = await start();
  node = first;
  await sleep(3000);
  const idle = { rss: rss(first.pid), heap: await heapUsed(httpPort) };
  console.log(`idle node: RSS ${mb(idle.rss)} MB, heap used ${mb(idle.heap)} MB (started in ${first.readyMs} ms)`);

  const t0 = Date.now();
  const load = await drive('user', 0, senders);
  const loadS = (Date.now() - t0) / 1000;
  const after = { rss: rss(first.pid), heap: await heapUsed(httpPort) };
  const per = (x: number, base: number): string => ((x - base) / senders).toFixed(0);
  console.log(
    `after ${senders} senders (${load.acked} admitted, ${(load.sent / loadS).toFixed(0)} messages/s): RSS ${mb(after.rss)} MB (+${per(after.rss, idle.rss)} B/sender), ` +
      `heap ${mb(after.heap)} MB (+${per(after.heap, idle.heap)} B/sender)`,
  );
  await sleep(settleS * 1000);
  const settled = { rss: rss(first.pid), heap: await heapUsed(httpPort) };
  console.log(`after ${settleS} s idle: RSS ${mb(settled.rss)} MB (+${per(settled.rss, idle.rss)} B/sender), heap ${mb(settled.heap)} MB (+${per(settled.heap, idle.heap)} B/sender)`);

  if (flags.snapshot) {
    // Written to the node's working directory; summarize it with bench/embedded/heap-summary.ts.
    process.kill(first.pid, 'SIGUSR2');
    const file = await waitFor(() => readdirSync(dir).find((f) => f.endsWith('.heapsnapshot')), 120_000);
    await waitFor(() => statSync(join(dir, file)).size > 0 && Date.now() - statSync(join(dir, file)).mtimeMs > 2000, 120_000);
    const kept = join(tmpdir(), 'outgate-scale.heapsnapshot');
    copyFileSync(join(dir, file), kept);
    console.log(`heap snapshot after the senders: ${kept}`);
  }
  await stopTree(first.pid, 'SIGTERM');
  node = undefined;
  console.log(`seeded ${tracked} senders into the stopped node's store in ${seed(tracked)} ms`);
  const cold = await start();
  node = cold;
  await sleep(3000);
  const coldMem = { rss: rss(cold.pid), heap: await heapUsed(httpPort) };
  console.log(
    `cold start with ${senders + tracked} tracked senders: first answer ${cold.readyMs} ms after spawn; ` +
      `3 s later RSS ${mb(coldMem.rss)} MB (+${((coldMem.rss - idle.rss) / (senders + tracked)).toFixed(0)} B/tracked sender over the idle node), heap ${mb(coldMem.heap)} MB`,
  );

  // Traffic from fresh senders, cut by SIGKILL a few seconds in.
  const stop = { now: false };
  const traffic = drive('kill', 0, 10_000_000, stop);
  await sleep(4000);
  const killedAt = Date.now();
  process.kill(cold.pid, 'SIGKILL');
  stop.now = true;
  const beforeKill = await traffic;
  node = undefined;
  const restarted = spawnLogged(process.execPath, [BIN, 'start'], log, env, dir);
  node = { pid: restarted.pid!, policyPort, httpPort };
  const answerMs = await firstAnswerAfter(killedAt, restarted.pid!);
  await sleep(3000);
  const full = { rss: rss(restarted.pid!), heap: await heapUsed(httpPort) };
  console.log(
    `kill -9 after ${beforeKill.acked} admitted messages: first answer ${answerMs} ms after the kill; ` +
      `3 s later RSS ${mb(full.rss)} MB, heap ${mb(full.heap)} MB (${senders + tracked + beforeKill.sent} tracked)`,
  );
  await sleep(30_000);
  const later = { rss: rss(restarted.pid!), heap: await heapUsed(httpPort) };
  console.log(`… 33 s after the restart: RSS ${mb(later.rss)} MB (+${((later.rss - idle.rss) / (senders + tracked + beforeKill.sent)).toFixed(0)} B/tracked sender over the idle node), heap ${mb(later.heap)} MB`);
  await stopTree(restarted.pid!, 'SIGTERM');
  node = undefined;
  const stored = storedMessages('kill');
  console.log(`nothing lost: ${stored} messages stored for ${beforeKill.acked} acknowledged (${beforeKill.sent} sent) — ${stored >= beforeKill.acked ? 'ok' : 'LOST'}`);
} finally {
  if (node && alive(node.pid)) await stopTree(node.pid, 'SIGTERM');
  removeDir(dir);
}
