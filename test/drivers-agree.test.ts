// The Postfix policy server and the send check (POST /api/v1/check) are two drivers of one per-message
// check: the same traffic through each, for two senders under the same policy, gets the same answers
// and leaves the same counts and restrictions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { HANG_UP, PolicyClient } from '../src/adapters/postfix-policy/client.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';

const ACCEPT = 'Accept';

test('the same messages through Postfix and through the send check are answered and counted alike', async (t) => {
  const s = await startTestServer({ 'serviceLimits.recipientsPerMessage': 3, 'serviceLimits.messagesPerMinute': 3 });
  t.after(() => s.stop());
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '5'));
  const key = await appKey(s);
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());

  let instance = 0;
  /** As Postfix asks for a client that gives up on a message at its first refused recipient. */
  const viaPostfix = async (login: string, to: readonly string[]): Promise<[string, string | null]> => {
    const common = { sasl_username: login, sender: login, instance: `twin.${++instance}` };
    for (const recipient of to) {
      const r = await c.ask({ ...common, protocol_state: 'RCPT', recipient, recipient_count: 0 });
      if (r !== 'action=DUNNO') return [r.replace(/^action=/, ''), recipient];
    }
    const end = await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: to.length === 1 ? to[0]! : '', recipient_count: to.length });
    return [end === 'action=DUNNO' ? ACCEPT : end.replace(/^action=/, ''), null];
  };
  const viaCheck = async (login: string, to: readonly string[]): Promise<[string, string | null]> => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/api/v1/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Sender: login, Recipients: to }),
    });
    const body = (await res.json()) as { SmtpReply: string | null; RefusedRecipient: string | null };
    assert.equal(res.status, 200, JSON.stringify(body));
    return [body.SmtpReply ?? ACCEPT, body.RefusedRecipient];
  };

  const traffic: ReadonlyArray<readonly string[] | 'a minute passes'> = [
    ['a@example.com', 'b@example.com'],
    ['c@example.com', 'd@example.com', 'e@example.com', 'f@example.com'],
    ['g@example.com'],
    ['h@example.com'],
    ['i@example.com'],
    'a minute passes',
    ['j@example.com', 'k@example.com'],
    ['l@example.com'],
  ];
  const answers: { postfix: Array<[string, string | null]>; check: Array<[string, string | null]> } = { postfix: [], check: [] };
  for (const m of traffic) {
    if (m === 'a minute passes') {
      s.clock.advance(60_000);
      continue;
    }
    answers.postfix.push(await viaPostfix('twin-postfix@outgate.test', m));
    answers.check.push(await viaCheck('twin-check@outgate.test', m));
  }

  assert.deepEqual(answers.check, answers.postfix);
  // Pinned too, so agreeing on something wrong fails: the 4th recipient of a 3-recipient cap, the 4th
  // message of a minute, then the 6th external recipient of the hour, which restricts the sender.
  assert.deepEqual(answers.postfix, [
    [ACCEPT, null],
    ['550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients', 'f@example.com'],
    [ACCEPT, null],
    [ACCEPT, null],
    ['451 4.7.1 Message rate limit exceeded, try again later', 'i@example.com'],
    ['550 5.1.8 Access denied, bad outbound sender', 'k@example.com'],
    ['550 5.1.8 Access denied, bad outbound sender', 'l@example.com'],
  ]);

  const totals = (identity: string) => s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity });
  const [viaPostfixTotals, viaCheckTotals] = [await totals('twin-postfix@outgate.test'), await totals('twin-check@outgate.test')];
  assert.deepEqual(viaCheckTotals, viaPostfixTotals);
  assert.equal(viaPostfixTotals.externalLastHour, 4, 'the abandoned messages hold nothing');
  const blocked = JSON.parse((await ok(s.cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{ SenderAddress: string; Reason: string }>;
  assert.deepEqual(blocked.map((b) => b.SenderAddress).sort(), ['twin-check@outgate.test', 'twin-postfix@outgate.test']);
  // The same reason, up to the message id only Postfix has (its instance).
  const reasons = blocked.map((b) => b.Reason.replace(/Last MessagetraceId=[^;]*;/, ''));
  assert.equal(reasons[0], reasons[1]);
});

test('on a store failure both follow policy.failMode: closed, Postfix gets no reply and the send check a 451; open, both let that step through', async (t) => {
  for (const failMode of ['closed', 'open'] as const) {
    const s = await startTestServer({ 'policy.failMode': failMode, 'store.busyTimeoutMs': 50 });
    t.after(() => s.stop());
    await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
    const key = await appKey(s);
    const check = async (Sender: string, Recipients: string[]) => {
      const res = await fetch(`http://127.0.0.1:${s.httpPort}/api/v1/check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Sender, Recipients }),
      });
      assert.equal(res.status, 200);
      return (await res.json()) as { Decision: string; SmtpReply: string | null; RefusedRecipient: string | null; Counted: boolean };
    };
    const c = await PolicyClient.open(s.policyPort);
    t.after(() => c.close());
    for (const login of ['fp@outgate.test', 'fc@outgate.test']) assert.equal((await check(login, ['x@example.com'])).Decision, 'Accept');
    // Another process holding the write lock: the restriction the next recipient trips cannot be made durable.
    const holder = new Database(join(s.dataDir, 'outgate.db'));
    holder.exec('BEGIN EXCLUSIVE');
    const fp = { sasl_username: 'fp@outgate.test', sender: 'fp@outgate.test', instance: 'lock' };
    const viaPostfix = [await c.ask({ ...fp, protocol_state: 'RCPT', recipient: 'y@example.com' })];
    if (viaPostfix[0] !== HANG_UP) viaPostfix.push(await c.ask({ ...fp, protocol_state: 'END-OF-MESSAGE', recipient: 'y@example.com', recipient_count: 1 }));
    const viaCheck = await check('fc@outgate.test', ['y@example.com']);
    holder.exec('ROLLBACK');
    holder.close();
    const got = [viaCheck.Decision, viaCheck.SmtpReply, viaCheck.RefusedRecipient, viaCheck.Counted];
    if (failMode === 'closed') {
      assert.deepEqual(viaPostfix, [HANG_UP]);
      assert.deepEqual(got, ['Defer', '451 4.3.0 Temporary server error, try again later', 'y@example.com', false]);
    } else {
      // The recipient is let through; at the end the sender is refused all the same, on the restriction
      // this process already holds in memory (it could not be written, not un-made).
      assert.deepEqual(viaPostfix, ['action=DUNNO', 'action=550 5.1.8 Access denied, bad outbound sender']);
      assert.deepEqual(got, ['Reject', '550 5.1.8 Access denied, bad outbound sender', null, false]);
    }
  }
});

/** An API key of the role applications check their mail with. */
async function appKey(s: TestServer): Promise<string> {
  await ok(s.cli('New-AdminAccount', 'twin-app', '-Role', 'Sending Application'));
  return (JSON.parse((await ok(s.cli('New-ApiKey', 'twin-app', '--format', 'json'))).stdout) as { Secret: string }).Secret;
}
