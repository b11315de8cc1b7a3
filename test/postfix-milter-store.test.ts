// The milter's store-failure reply through a real Postfix: with `policy.failMode` closed, a decision
// the store cannot make durable is `451 4.3.0 Temporary server error, try again later`, and the client
// must read exactly that (the row of docs/postfix.md's milter table), with nothing counted.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ok, startTestServer } from './support/outgate.js';
import { startPostfix } from './support/postfix.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { swaks } from './support/swaks.js';

const SNIPPET = new URL('../docs/postfix/milter.cf.snippet', import.meta.url);
const ALICE = { user: 'alice@outgate.test', password: 'alice-secret' };

test('a store failure at RCPT TO reaches the client through Postfix as 451 4.3.0, as written, and counts nothing', { timeout: 120_000 }, async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  // A short busy timeout: the held write lock below is a store failure at once, not after seconds.
  const og = await startTestServer({ 'policy.failMode': 'closed', 'store.busyTimeoutMs': 50 });
  t.after(() => og.stop());
  await ok(og.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  const snippet = (await readFile(SNIPPET, 'utf8')).replaceAll('127.0.0.1:10041', `127.0.0.1:${og.milterPort}`);
  const pf = await startPostfix({ policyPort: og.policyPort, relayPort: sink.port, users: [ALICE], snippet });
  t.after(() => pf.stop());
  const send = (to: string) => swaks({ port: pf.port, from: ALICE.user, to: [to], authUser: ALICE.user, authPassword: ALICE.password });
  const explain = async (transcript: string) => `swaks:\n${transcript}\n--- maillog ---\n${await pf.log()}`;
  const totals = () => og.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity: ALICE.user });

  const first = await send('a@example.com');
  assert.ok(first.accepted, await explain(first.transcript));
  assert.equal((await totals()).externalLastHour, 1);

  // Another process holds the write lock: the restriction the second recipient trips cannot be made durable.
  const holder = new Database(join(og.dataDir, 'outgate.db'));
  holder.exec('BEGIN EXCLUSIVE');
  let second;
  try {
    second = await send('b@example.com');
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
  assert.equal(second.mailFrom?.text, '250 2.1.0 Ok', await explain(second.transcript));
  assert.equal(second.rcpt['b@example.com']?.text, '451 4.3.0 Temporary server error, try again later', await explain(second.transcript));
  assert.equal(second.accepted, false);
  assert.equal((await totals()).externalLastHour, 1, 'the deferred message is not counted');
  assert.match(await pf.log(), /milter-reject: RCPT from [^:]*: 451 4\.3\.0 Temporary server error, try again later;/);
  // Postfix relays the accepted message on its own time: wait for it before counting what arrived.
  await sink.waitFor((m) => m.to.includes('a@example.com'));
  assert.deepEqual(
    sink.messages.map((m) => m.to),
    [['a@example.com']],
    'only the first message reached the relay',
  );
});
