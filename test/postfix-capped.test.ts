// What a real Postfix does with a policy connection Outgate refuses at its cap: it retries, then
// defers with its default action (451 4.3.5): the mail waits with the client, it is never let through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyClient } from '../src/adapters/postfix-policy/client.js';
import { startTestServer } from './support/outgate.js';
import { startPostfix } from './support/postfix.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { swaks } from './support/swaks.js';

const ALICE = { user: 'alice@outgate.test', password: 'alice-secret' };

test('a Postfix refused at the connection cap defers with 451 4.3.5, and sends once a place is free', { timeout: 60_000 }, async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const og = await startTestServer({ 'policy.maxConnections': 1, 'policy.maxConnectionsPerClient': 1 });
  t.after(() => og.stop());
  const pf = await startPostfix({ policyPort: og.policyPort, relayPort: sink.port, users: [ALICE] });
  t.after(() => pf.stop());
  const send = () => swaks({ port: pf.port, from: ALICE.user, to: ['a@example.com'], authUser: ALICE.user, authPassword: ALICE.password });

  // Another client holds the only place.
  const holder = await PolicyClient.open(og.policyPort);
  assert.equal(await holder.ask({ protocol_state: 'MAIL', sasl_username: 'h@outgate.test', instance: 'h' }), 'action=DUNNO');
  const refused = await send();
  assert.equal(
    refused.rcpt['a@example.com']?.text,
    '451 4.3.5 <alice@outgate.test>: Sender address rejected: Server configuration problem',
    `${refused.transcript}\n${await pf.log()}`,
  );
  assert.equal(refused.accepted, false);
  const metrics = await og.metrics.registry.getSingleMetricAsString('outgate_policy_connections_closed_total');
  const tries = Number(/reason="max_connections"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  assert.ok(tries >= 1, metrics);

  holder.close();
  await holder.whenClosed();
  const admitted = await send();
  assert.ok(admitted.accepted, `${admitted.transcript}\n${await pf.log()}`);
  await sink.waitFor((m) => m.to.includes('a@example.com'), 15_000);
  t.diagnostic(`Postfix connected ${tries} times before deferring`);
});
