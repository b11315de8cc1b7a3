// The policy port stays available: slow senders are dropped at the request deadline, connections are
// capped per client address and overall, and a flood of policy and HTTP connections under a
// 1,024-descriptor limit leaves new policy and HTTP clients served, with one log line and a metric.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from 'node:net';
import { request } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HANG_UP, PolicyClient } from '../src/adapters/postfix-policy/client.js';
import { MilterClient, mta } from '../src/adapters/milter/client.js';
import { Cmd } from '../src/adapters/milter/protocol.js';
import { startTestServer, tempDataDir, type TestServer } from './support/outgate.js';
import { spawnServer } from './support/server-process.js';

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

test('policy and milter connections share policy.maxConnections: over it either is refused and counted', { timeout: 15_000 }, async (t) => {
  const s = await server(t, { 'policy.maxConnections': 4 });
  const milter = async (): Promise<MilterClient> => {
    const m = await MilterClient.open(s.milterPort);
    t.after(() => void m.close());
    return m;
  };
  const policy = async (): Promise<PolicyClient> => {
    const c = await PolicyClient.open(s.policyPort);
    t.after(() => c.close());
    return c;
  };
  const m1 = await milter();
  assert.equal((await m1.ask(mta.optneg())).kind, 'optneg');
  assert.equal((await (await milter()).ask(mta.optneg())).kind, 'optneg');
  const p1 = await policy();
  assert.equal(await p1.ask(MAIL), DUNNO);
  assert.equal(await (await policy()).ask(MAIL), DUNNO);
  assert.equal(await (await policy()).ask(MAIL), HANG_UP, 'two milter and two policy connections: the fifth policy one is refused');
  assert.equal((await (await milter()).ask(mta.optneg())).kind, 'hang-up', 'and a fifth milter one');
  assert.equal(await closedCount(s, 'max_connections'), 1);
  const refused = (await s.metrics.registry.getSingleMetric('outgate_milter_connections_refused_total')!.get()).values[0]?.value;
  assert.equal(refused, 1);
  assert.equal(await p1.ask(MAIL), DUNNO, 'admitted connections were never disturbed');
  assert.deepEqual(await m1.ask(mta.macro(Cmd.MAIL, [['{auth_authen}', 'm@outgate.test']]), mta.mail('<m@outgate.test>')), { kind: 'continue' });
});

/** Opens a connection from `from` that sends `head` and never the rest; resolves when the server closes it, with what it answered. */
function stall(port: number, head: string, from?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    let answer = '';
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(head));
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.once('close', () => resolve(answer));
  });
}

/** GET from a given local address (fetch cannot choose it), on a connection of its own. */
function get(port: number, path: string, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

test(
  '1,100 slow policy and 200 slow HTTP connections under 1,024 open files: new policy and HTTP requests are answered, one log line each, then the slow ones are dropped',
  { timeout: 30_000 },
  async (t) => {
    const dataDir = tempDataDir();
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = join(dataDir, 'outgate.json');
    writeFileSync(config, JSON.stringify({ policy: { requestTimeoutSeconds: 2 }, http: { requestTimeoutSeconds: 2 } }));
    const lines: string[] = [];
    const { child, policyPort, httpPort } = await spawnServer(dataDir, { OUTGATE_CONFIG: config }, { openFiles: 1024, onLog: (_, line) => lines.push(line) });
    t.after(() => {
      child.kill('SIGKILL');
    });

    const policyFlood = Array.from({ length: 1_100 }, () => stall(policyPort, 'request=smtpd_access_policy\n'));
    const httpFlood = Array.from({ length: 200 }, () => stall(httpPort, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'));
    // 384 policy (half of 768) and 64 HTTP (half of 128) are held from 127.0.0.1; the rest are refused at once.
    const other = await PolicyClient.open(policyPort, '127.0.0.1', '127.0.0.2');
    t.after(() => other.close());
    assert.equal(await other.ask(MAIL), DUNNO, 'a new policy client is served');
    assert.equal(await get(httpPort, '/api/v1/health', '127.0.0.2'), 200, 'a new HTTP client is served');

    // Refused at once, or dropped at the 2 s request deadline (HTTP with a 408).
    const httpAnswers = await Promise.all(httpFlood);
    await Promise.all(policyFlood);
    assert.equal(httpAnswers.filter((a) => a.startsWith('HTTP/1.1 408')).length, 64);
    assert.equal(httpAnswers.filter((a) => a === '').length, 136, 'refused connections get no answer');
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(metrics, /^outgate_policy_connections_closed_total\{reason="max_connections_per_client"\} 716$/m);
    assert.match(metrics, /^outgate_policy_connections_closed_total\{reason="request_timeout"\} 384$/m);
    assert.match(metrics, /^outgate_http_connections_closed_total\{reason="max_connections_per_client"\} 136$/m);
    assert.match(metrics, /^outgate_http_connections_closed_total\{reason="request_timeout"\} 64$/m);
    const refusals = lines.filter((l) => l.includes('"reason":"max_connections_per_client"'));
    assert.equal(refusals.length, 2, 'one log line per port for its burst of refusals (rate-limited)');
    assert.match(refusals.find((l) => l.includes('policy connection'))!, /"level":40.*"client":"127\.0\.0\.1".*policy connection refused: policy\.maxConnectionsPerClient reached/);
    assert.match(refusals.find((l) => l.includes('HTTP connection'))!, /"level":40.*"client":"127\.0\.0\.1".*HTTP connection refused: http\.maxConnectionsPerClient reached/);
    assert.equal(lines.filter((l) => l.includes('"reason":"request_timeout"')).length, 2);
    assert.equal(await other.ask({ ...MAIL, instance: 'c2' }), DUNNO, 'and the other client still is');
    const listening = (msg: string): number[] => {
      const e = JSON.parse(lines.find((l) => l.includes(msg))!) as { maxConnections: number; maxConnectionsPerClient: number };
      return [e.maxConnections, e.maxConnectionsPerClient];
    };
    assert.deepEqual(listening('"policy server listening"'), [768, 384], 'derived from the soft limit of 1,024');
    assert.deepEqual(listening('"HTTP API listening'), [128, 64], 'half of what the policy port leaves');
  },
);
