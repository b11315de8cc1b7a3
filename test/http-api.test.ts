// The HTTP API foundation: health, readiness, metrics, OpenAPI, and one error shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { buildApp } from '../src/adapters/http/build-app.js';
import { PrometheusMetrics } from '../src/adapters/metrics/prometheus.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { loadConfig } from '../src/config/load.js';
import { CheckSend } from '../src/app/check-send.js';
import { DEFAULT_SERVICE_LIMITS } from '../src/domain/service-limits.js';
import { DEFAULT_SESSION_OPTIONS } from '../src/app/sessions.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { ok, startTestServer, tempDataDir, TestClock } from './support/outgate.js';

test('health, readiness (503 once the store is gone), OpenAPI, docs and the JSON error shape, through inject', async (t) => {
  const backend = openStore(loadConfig({ env: {}, overrides: { dataDir: tempDataDir() } }), 'cli');
  const store = backend.store;
  const metrics = new PrometheusMetrics();
  const clock = new TestClock();
  const checkSend = await CheckSend.start(store, await backend.openCounters(clock.now()), clock, DEFAULT_SERVICE_LIMITS);
  const app = await buildApp({
    log: pino({ level: 'silent' }),
    metrics: metrics.exposition(),
    observeRequest: (m, r, s, secs) => metrics.observeRequest(m, r, s, secs),
    checkStore: () => store.ping(),
    version: '9.9.9',
    store,
    clock,
    authenticate: async () => undefined,
    authenticateSession: async () => undefined,
    sessionOptions: DEFAULT_SESSION_OPTIONS,
    unblockLimit: 3,
    webhookTargetAllowed: async () => false,
    checkSend,
    serviceLimits: DEFAULT_SERVICE_LIMITS,
  });
  t.after(() => app.close());
  assert.deepEqual((await app.inject('/api/v1/health')).json(), { status: 'ok' });
  assert.equal((await app.inject('/api/v1/ready')).statusCode, 200);
  const missing = await app.inject('/api/v1/nope?x=1');
  assert.deepEqual(missing.json(), { statusCode: 404, code: 'OG_ERR_NOT_FOUND', message: 'No such route: GET /api/v1/nope.' });
  const doc = (await app.inject('/api/openapi.json')).json() as { openapi: string; info: { version: string }; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.0.3');
  assert.equal(doc.info.version, '9.9.9');
  assert.ok(doc.paths['/api/v1/health'] && doc.paths['/api/v1/ready']);
  const docs = await app.inject('/api/docs/');
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /<html/i);
  await backend.close();
  const down = await app.inject('/api/v1/ready');
  assert.equal(down.statusCode, 503);
  assert.equal(down.json().status, 'unavailable');
  assert.match((await app.inject('/metrics')).body, /outgate_http_request_seconds_count\{method="GET",route="\/api\/v1\/ready",status="503"\} 1/);
});

test('a running server exposes decisions, restrictions and unblocks as Prometheus metrics', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  await sendMessage(c, { login: 'm@outgate.test', to: ['a@example.com'] });
  await sendMessage(c, { login: 'm@outgate.test', to: ['b@example.com'] });
  await ok(s.cli('Remove-BlockedSenderAddress', 'm@outgate.test'));
  await sendMessage(c, { login: 'm@outgate.test', to: ['c@example.com'] });
  const res = await fetch(`http://127.0.0.1:${s.httpPort}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  for (const line of [
    'outgate_policy_decisions_total{stage="rcpt",outcome="permit"} 2',
    'outgate_policy_decisions_total{stage="rcpt",outcome="refuse"} 1',
    'outgate_policy_decisions_total{stage="end",outcome="permit"} 2',
    'outgate_restrictions_total{entity_type="Mailbox"} 1',
    'outgate_unblocks_total{entity_type="Mailbox"} 1',
  ]) {
    assert.ok(text.includes(line), `missing ${line}\n${text.split('\n').filter((l) => l.startsWith('outgate_p') || l.startsWith('outgate_r') || l.startsWith('outgate_u')).join('\n')}`);
  }
  assert.match(text, /outgate_policy_decision_seconds_bucket\{le="0.001",stage="rcpt"\} \d+/);
});
