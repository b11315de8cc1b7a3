// The HTTP port stays available: connections are capped per client address and overall, a request
// that does not arrive whole within http.requestTimeoutSeconds gets 408 and is closed, and refusals
// are counted; the policy port is served throughout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'node:http';
import { connect } from 'node:net';
import { PolicyClient } from '../src/adapters/postfix-policy/client.js';
import { startTestServer, type TestServer } from './support/outgate.js';

const HEAD = 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'; // and never the empty line

/** A connection that sends `HEAD` from `from`; `answer` resolves with what the server wrote when it closes it. */
async function stall(port: number, from: string): Promise<{ answer: Promise<string>; close(): void }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from });
  let text = '';
  socket.on('error', () => undefined);
  socket.on('data', (d) => (text += d.toString('latin1')));
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
  await new Promise<void>((resolve) => socket.once('connect', () => socket.write(HEAD, () => resolve())));
  return { answer, close: () => socket.destroy() };
}

/** GET /api/v1/health from `from` on a connection of its own: the status, or 'refused' when closed unanswered. */
function health(port: number, from: string): Promise<number | 'refused'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/health', localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve('refused'));
    req.end();
  });
}

async function closed(s: TestServer, reason: string): Promise<number> {
  const m = await s.metrics.registry.getSingleMetric('outgate_http_connections_closed_total')!.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

/** Waits until the server counts `n` open HTTP connections (it learns of a client's close a moment later). */
async function openConnections(s: TestServer, n: number): Promise<void> {
  const gauge = s.metrics.registry.getSingleMetric('outgate_http_connections')!;
  for (let tries = 0; (await gauge.get()).values[0]?.value !== n; tries++) {
    assert.ok(tries < 500, `still not ${n} open HTTP connections`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('HTTP connections are capped per client and overall, slow requests get 408 at the deadline, and policy is served', { timeout: 20_000 }, async (t) => {
  const s = await startTestServer({ 'http.maxConnections': 6, 'http.maxConnectionsPerClient': 4, 'http.requestTimeoutSeconds': 1 });
  t.after(() => s.stop());
  const held: Array<Awaited<ReturnType<typeof stall>>> = [];
  for (let i = 0; i < 4; i++) held.push(await stall(s.httpPort, '127.0.0.1'));
  t.after(() => held.forEach((h) => h.close()));
  assert.equal(await health(s.httpPort, '127.0.0.1'), 'refused', 'the 5th from one address');
  assert.equal(await health(s.httpPort, '127.0.0.2'), 200, 'another address is served');
  await openConnections(s, 4);
  held.push(await stall(s.httpPort, '127.0.0.2'), await stall(s.httpPort, '127.0.0.2'));
  assert.equal(await health(s.httpPort, '127.0.0.3'), 'refused', 'the 7th overall');
  assert.equal(await closed(s, 'max_connections_per_client'), 1);
  assert.equal(await closed(s, 'max_connections'), 1);

  const policy = await PolicyClient.open(s.policyPort);
  t.after(() => policy.close());
  assert.equal(await policy.ask({ protocol_state: 'MAIL', sasl_username: 'a@outgate.test', instance: 'h1' }), 'action=DUNNO', 'the policy port is not affected');

  const answers = await Promise.all(held.map((h) => h.answer));
  for (const a of answers) assert.match(a, /^HTTP\/1\.1 408 /);
  assert.equal(await closed(s, 'request_timeout'), 6);
  await openConnections(s, 0);
  assert.equal(await health(s.httpPort, '127.0.0.1'), 200, 'the dropped connections freed their places');
});
