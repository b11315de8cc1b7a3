// The policy port stays available: slow senders are dropped at the request deadline, connections are
// capped per client address and overall, and a flood under a 1,024-descriptor limit leaves HTTP and
// other clients served, with one log line and a metric.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { HANG_UP, PolicyClient } from '../src/adapters/postfix-policy/client.js';
import { BIN, clockEnv, startTestServer, tempDataDir, testTimeline, type TestServer } from './support/outgate.js';

const DUNNO = 'action=DUNNO';
const MAIL = { protocol_state: 'MAIL', sasl_username: 'a@outgate.test', sender: 'a@outgate.test', instance: 'c1' };
const REQUEST = 'request=smtpd_access_policy\nprotocol_state=MAIL\nsasl_username=a@outgate.test\ninstance=slow\n\n';

async function server(t: { after: (fn: () => Promise<void>) => void }, overrides: Record<string, unknown>): Promise<TestServer> {
  const s = await startTestServer(overrides);
  t.after(() => s.stop());
  return s;
}

function closedCount(s: TestServer, reason: string): Promise<number> {
  return s.metrics.registry
    .getSingleMetric('outgate_policy_connections_closed_total')!
    .get()
    .then((m) => m.values.find((v) => v.labels.reason === reason)?.value ?? 0);
}

/** Writes `bytes` one byte every `everyMs` until the socket closes; resolves with the ms it stayed open. */
function trickle(port: number, bytes: string, everyMs: number, from?: string): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    let i = 0;
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(bytes[i++ % bytes.length]!);
    }, everyMs);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      resolve(performance.now() - started);
    });
  });
}

test(
  'a client sending 1 byte every 100 ms is dropped at the request deadline; a silent one too; others are served',
  { timeout: 15_000 },
  async (t) => {
    const s = await server(t, { 'policy.requestTimeoutSeconds': 1, 'policy.idleTimeoutSeconds': 60 });
    const steady = await PolicyClient.open(s.policyPort);
    t.after(() => steady.close());
    assert.equal(await steady.ask(MAIL), DUNNO);
    const slow = trickle(s.policyPort, REQUEST, 100);
    const silent = await PolicyClient.open(s.policyPort);
    // Postfix sends a whole request in one write; a request still unfinished after 1 s is not Postfix.
    assert.equal(await silent.raw('', 5_000), HANG_UP, 'a connection that sends nothing is dropped too');
    const openMs = await slow;
    assert.ok(openMs >= 1_000 && openMs < 2_500, `dropped after ${Math.round(openMs)} ms`);
    assert.equal(await closedCount(s, 'request_timeout'), 2);
    // A client that answers promptly keeps its connection: the deadline runs per request, not per connection.
    for (let i = 0; i < 3; i++) assert.equal(await steady.ask({ ...MAIL, instance: `c${i}` }), DUNNO);
    assert.equal(steady.closed, false);
  },
);

test(
  'connections are capped per client address and overall; a refused client gets no reply and is counted',
  { timeout: 15_000 },
  async (t) => {
    const s = await server(t, { 'policy.maxConnections': 20, 'policy.maxConnectionsPerClient': 12 });
    const open = async (from: string): Promise<PolicyClient> => {
      const c = await PolicyClient.open(s.policyPort, '127.0.0.1', from);
      t.after(() => c.close());
      return c;
    };
    const first: PolicyClient[] = [];
    for (let i = 0; i < 12; i++) first.push(await open('127.0.0.1'));
    assert.equal(await first[11]!.ask(MAIL), DUNNO);
    assert.equal(await (await open('127.0.0.1')).ask(MAIL), HANG_UP, 'the 13th from one address');
    const second: PolicyClient[] = [];
    for (let i = 0; i < 8; i++) second.push(await open('127.0.0.2'));
    assert.equal(await second[7]!.ask(MAIL), DUNNO, 'another address is still served');
    assert.equal(await (await open('127.0.0.3')).ask(MAIL), HANG_UP, 'the 21st overall');
    assert.equal(await closedCount(s, 'max_connections_per_client'), 1);
    assert.equal(await closedCount(s, 'max_connections'), 1);
    // A closed connection frees its place (the server learns of the close a moment later).
    first[0]!.close();
    let admitted = HANG_UP;
    for (let tries = 0; admitted === HANG_UP && tries < 50; tries++) admitted = await (await open('127.0.0.3')).ask(MAIL);
    assert.equal(admitted, DUNNO);
    assert.equal(await first[1]!.ask(MAIL), DUNNO, 'admitted connections were never disturbed');
  },
);

/** `outgate start` under a soft limit of 1,024 open files; resolves with its ports once it listens. */
function startLimited(
  dataDir: string,
  config: string,
  lines: string[],
): Promise<{ child: ChildProcess; policyPort: number; httpPort: number }> {
  const env = {
    ...process.env,
    ...clockEnv(testTimeline),
    OUTGATE_DATA_DIR: dataDir,
    OUTGATE_CONFIG: config,
    OUTGATE_POLICY_LISTEN: '127.0.0.1:0',
    OUTGATE_MILTER_LISTEN: '127.0.0.1:0',
    OUTGATE_HTTP_LISTEN: '127.0.0.1:0',
    OUTGATE_LOG_LEVEL: 'info',
  };
  const child = spawn('bash', ['-c', 'ulimit -n 1024 && exec "$@"', 'bash', process.execPath, BIN, 'start'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let policyPort = 0;
    child.once('exit', (code) => reject(new Error(`server exited (code ${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { msg?: string; listen?: string };
      if (entry.msg === 'policy server listening') policyPort = Number(entry.listen!.split(':')[1]);
      if (entry.msg?.startsWith('HTTP API listening') && policyPort !== 0)
        resolve({ child, policyPort, httpPort: Number(/:(\d+)$/.exec(entry.listen!)![1]) });
    });
  });
}

test(
  '1,100 slow connections under 1,024 open files: HTTP and other clients are served, one log line, then the slow ones are dropped',
  { timeout: 20_000 },
  async (t) => {
    const dataDir = tempDataDir();
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = join(dataDir, 'outgate.json');
    writeFileSync(config, JSON.stringify({ policy: { requestTimeoutSeconds: 2 } }));
    const lines: string[] = [];
    const { child, policyPort, httpPort } = await startLimited(dataDir, config, lines);
    t.after(() => {
      child.kill('SIGKILL');
    });

    const flood: Socket[] = [];
    const closed: Array<Promise<void>> = [];
    for (let i = 0; i < 1_100; i++) {
      const socket = connect({ host: '127.0.0.1', port: policyPort });
      socket.on('error', () => undefined);
      socket.on('connect', () => socket.write('request=smtpd_access_policy\n')); // and never the rest
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
      flood.push(socket);
    }
    t.after(() => flood.forEach((s) => s.destroy()));
    // 384 (half of 768) are held from 127.0.0.1; the other 716 are refused at once.
    const other = await PolicyClient.open(policyPort, '127.0.0.1', '127.0.0.2');
    t.after(() => other.close());
    assert.equal(await other.ask(MAIL), DUNNO, 'a client from another address is served');
    const health = await fetch(`http://127.0.0.1:${httpPort}/api/v1/health`);
    assert.equal(health.status, 200, 'HTTP is served');

    await Promise.all(closed); // refused at once, or dropped at the 2 s request deadline
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(metrics, /^outgate_policy_connections_closed_total\{reason="max_connections_per_client"\} 716$/m);
    assert.match(metrics, /^outgate_policy_connections_closed_total\{reason="request_timeout"\} 384$/m);
    const refusals = lines.filter((l) => l.includes('"reason":"max_connections_per_client"'));
    assert.equal(refusals.length, 1, 'one log line for a burst of 716 refusals (rate-limited)');
    assert.match(refusals[0]!, /"level":40.*"client":"127\.0\.0\.1".*policy connection refused: policy\.maxConnectionsPerClient reached/);
    assert.equal(lines.filter((l) => l.includes('"reason":"request_timeout"')).length, 1);
    assert.equal(await other.ask({ ...MAIL, instance: 'c2' }), DUNNO, 'and the other client still is');
    const listening = JSON.parse(lines.find((l) => l.includes('"policy server listening"'))!) as {
      maxConnections: number;
      maxConnectionsPerClient: number;
    };
    assert.deepEqual([listening.maxConnections, listening.maxConnectionsPerClient], [768, 384], 'derived from the soft limit of 1,024');
  },
);
