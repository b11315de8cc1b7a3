// The Postfix policy server end to end over TCP, on a real embedded store, with the real CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { HANG_UP, PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';

const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';
const DUNNO = 'action=DUNNO';

async function setup(t: { after: (fn: () => Promise<void> | void) => void }, overrides = {}): Promise<{ s: TestServer; c: PolicyClient }> {
  const s = await startTestServer(overrides);
  t.after(() => s.stop());
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  return { s, c };
}

test('a user over the hourly external limit is restricted, refused with 5.1.8, listed, and sends again once unblocked', async (t) => {
  const { s, c } = await setup(t);
  assert.equal((await s.cli('New-AcceptedDomain', '-Name', 'Outgate', '-DomainName', 'outgate.test')).code, 0);
  const set = await s.cli('Set-HostedOutboundSpamFilterPolicy', '-Identity', 'Default', '-RecipientLimitExternalPerHour', '3');
  assert.equal(set.code, 0, set.stderr);

  // 3 external recipients fit; internal ones do not count against the external limit.
  assert.deepEqual(await sendMessage(c, { login: 'alice@outgate.test', to: ['a@example.com', 'b@example.com', 'carol@outgate.test'] }), {
    rcpt: [DUNNO, DUNNO, DUNNO],
    end: DUNNO,
  });
  assert.deepEqual(await sendMessage(c, { login: 'alice@outgate.test', to: ['c@example.com'] }), { rcpt: [DUNNO], end: DUNNO });
  // The 4th external recipient trips the limit at RCPT; every later request is refused too.
  assert.deepEqual(await sendMessage(c, { login: 'Alice@Outgate.TEST', to: ['d@example.com', 'dave@outgate.test'], queueId: '4XyZ1A2B3C' }), { rcpt: [DENIED, DENIED], end: 'not-sent' });
  assert.equal(await c.ask({ protocol_state: 'MAIL', sasl_username: 'alice@outgate.test', sender: 'alice@outgate.test', instance: 'x' }), DENIED);

  const listed = await ok(s.cli('Get-BlockedSenderAddress', '--format', 'json'));
  const [entity] = JSON.parse(listed.stdout) as Array<Record<string, string>>;
  assert.equal(entity!.SenderAddress, 'alice@outgate.test');
  // The spec's keys in its order (docs/spec.md §2), the Postfix queue id as the message trace id.
  assert.equal(
    entity!.Reason,
    'EmailSendingLimitExceeded;InternalRecipientCountToday=1;ExternalRecipientCountToday=3;ExceedingLimitType=External;Last MessagetraceId=4XyZ1A2B3C;LastMessageRcptCount=1;RecipientLimitExternalPerHour=3;OutboundMailLast24Hours=4;Policy=Default;',
  );
  assert.equal(entity!.ExpiresDatetime, '2026-11-29T00:00:00.000Z');

  const unblock = await s.cli('Remove-BlockedSenderAddress', '-SenderAddress', 'alice@outgate.test', '-Reason', 'password reset, MFA on');
  assert.equal(unblock.code, 0, unblock.stderr);
  // The running server sees the CLI's change on the next request, and the windows restarted.
  assert.deepEqual(await sendMessage(c, { login: 'alice@outgate.test', to: ['e@example.com', 'f@example.com', 'g@example.com'] }), {
    rcpt: [DUNNO, DUNNO, DUNNO],
    end: DUNNO,
  });
  const history = JSON.parse((await ok(s.cli('Get-BlockedSenderAddress', '-SenderAddress', 'alice@outgate.test', '--format', 'json'))).stdout);
  assert.deepEqual(history, [], 'no longer blocked');
  const again = await s.cli('Remove-BlockedSenderAddress', 'alice@outgate.test');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /OG_ERR_SENDER_NOT_BLOCKED: Sender alice@outgate.test is not on the Restricted entities list/);
});

test('BlockUserForToday lifts at 00:00 UTC and the release is recorded in the history', async (t) => {
  const { s, c } = await setup(t);
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitPerDay', '1'));
  s.clock.t = Date.UTC(2026, 10, 28, 23, 59, 0);
  assert.equal((await sendMessage(c, { login: 'bob@outgate.test', to: ['x@example.com'] })).end, DUNNO);
  assert.deepEqual((await sendMessage(c, { login: 'bob@outgate.test', to: ['y@example.com'] })).rcpt, [DENIED]);
  s.clock.t = Date.UTC(2026, 10, 28, 23, 59, 59, 999);
  assert.deepEqual((await sendMessage(c, { login: 'bob@outgate.test', to: ['y@example.com'] })).rcpt, [DENIED]);
  s.clock.t = Date.UTC(2026, 10, 29, 0, 0, 0);
  assert.equal(await s.checkSend.releaseExpired(), 1);
  const views = await s.store.listRestrictions({ identity: 'bob@outgate.test' });
  assert.deepEqual(views[0]!.history.map((h) => [h.event, h.actor, new Date(h.at).toISOString()]), [
    ['Restricted', 'system', '2026-11-28T23:59:00.000Z'],
    ['Expired', 'system', '2026-11-29T00:00:00.000Z'],
  ]);
  // Still over the daily limit of 1 from the message at 23:59: refused and restricted again, not stuck.
  assert.deepEqual((await sendMessage(c, { login: 'bob@outgate.test', to: ['z@example.com'] })).rcpt, [DENIED]);
  // Past the next midnight the sender is let through even before the sweeper records the expiry,
  // and a new trip then records the expiry first.
  s.clock.t = Date.UTC(2026, 10, 30, 0, 0, 0);
  assert.equal((await sendMessage(c, { login: 'bob@outgate.test', to: ['z@example.com'] })).end, DUNNO);
  s.clock.advance(60_000);
  assert.deepEqual((await sendMessage(c, { login: 'bob@outgate.test', to: ['w@example.com'] })).rcpt, [DENIED]);
  const after = await s.store.listRestrictions({ identity: 'bob@outgate.test' });
  assert.deepEqual(after[0]!.history.map((h) => h.event), ['Restricted', 'Expired', 'Restricted', 'Expired', 'Restricted']);
});

test('service limits through the wire: 500 recipients per message, 30 messages a minute', async (t) => {
  const { s, c } = await setup(t, { 'serviceLimits.recipientsPerMessage': 3, 'serviceLimits.messagesPerMinute': 2 });
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '100'));
  const m = await sendMessage(c, { login: 'eve@outgate.test', to: ['1@x.example', '2@x.example', '3@x.example', '4@x.example'] });
  assert.deepEqual(m, { rcpt: [DUNNO, DUNNO, DUNNO, 'action=550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients'], end: DUNNO });
  assert.equal((await sendMessage(c, { login: 'eve@outgate.test', to: ['5@x.example'] })).end, DUNNO);
  assert.deepEqual((await sendMessage(c, { login: 'eve@outgate.test', to: ['6@x.example'] })).rcpt, ['action=451 4.7.1 Message rate limit exceeded, try again later']);
  s.clock.advance(60_000);
  assert.equal((await sendMessage(c, { login: 'eve@outgate.test', to: ['6@x.example'] })).end, DUNNO);
  assert.equal(JSON.parse((await s.cli('Get-BlockedSenderAddress', '--format', 'json')).stdout).length, 0, 'throttling never restricts');
});

test('unauthenticated mail is not ours unless it comes from a connector, which is restricted with 5.7.711', async (t) => {
  const { s, c } = await setup(t);
  assert.equal((await sendMessage(c, { from: 'x@example.com', to: ['y@outgate.test'], client: '192.0.2.7' })).end, DUNNO);
  const made = await s.cli('New-InboundConnector', '-Name', 'App servers', '-SenderIPAddresses', '127.0.0.0/8,::1', '-RecipientLimitExternalPerHour', '2', '--format', 'json');
  assert.equal(made.code, 0, made.stderr);
  const connectorId = (JSON.parse(made.stdout) as { Id: string }).Id;
  assert.equal((await sendMessage(c, { from: 'app@outgate.test', to: ['1@example.com', '2@example.com'] })).end, DUNNO);
  const refused = 'action=550 5.7.711 Access denied, bad inbound connector. AS(2204)';
  assert.deepEqual((await sendMessage(c, { from: 'app@outgate.test', to: ['3@example.com'] })).rcpt, [refused]);
  const listed = JSON.parse((await s.cli('Get-BlockedConnector', '--format', 'json')).stdout) as Array<{ ConnectorId: string; ConnectorName: string }>;
  assert.deepEqual(listed.map((x) => [x.ConnectorId, x.ConnectorName]), [[connectorId, 'App servers']]);
  assert.equal((await s.cli('Remove-BlockedConnector', '-ConnectorId', connectorId)).code, 0);
  assert.equal((await sendMessage(c, { from: 'app@outgate.test', to: ['3@example.com'] })).end, DUNNO);
});

test('a custom policy bound by a rule applies by envelope sender, with Send As, while counts stay with the login', async (t) => {
  const { s, c } = await setup(t);
  assert.equal((await s.cli('New-HostedOutboundSpamFilterPolicy', 'Strict', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser')).code, 0);
  const rule = await s.cli('New-HostedOutboundSpamFilterRule', 'Strict', '-HostedOutboundSpamFilterPolicy', 'Strict', '-From', 'ceo@outgate.test');
  assert.equal(rule.code, 0, rule.stderr);
  // Alice may send as the CEO (docs/spec.md §3: the From selects the policy only with Send As).
  await ok(s.cli('Add-RecipientPermission', 'ceo@outgate.test', '-Trustee', 'alice@outgate.test', '-AccessRights', 'SendAs'));
  // Alice sends as herself (default policy): fine. Then as the CEO (Strict, 1/hour): her own count is 1 already.
  assert.equal((await sendMessage(c, { login: 'alice@outgate.test', from: 'alice@outgate.test', to: ['a@example.com'] })).end, DUNNO);
  assert.deepEqual((await sendMessage(c, { login: 'alice@outgate.test', from: 'ceo@outgate.test', to: ['b@example.com'] })).rcpt, [DENIED]);
  const [e] = JSON.parse((await s.cli('Get-BlockedSenderAddress', '--format', 'json')).stdout) as Array<{ SenderAddress: string; Policy: string; Action: string; ExpiresDatetime: null }>;
  assert.deepEqual([e!.SenderAddress, e!.Policy, e!.Action, e!.ExpiresDatetime], ['alice@outgate.test', 'Strict', 'BlockUser', null]);
  // Disabling the rule is seen at once: the CEO's own account now falls under the default policy.
  assert.equal((await s.cli('Disable-HostedOutboundSpamFilterRule', 'Strict')).code, 0);
  assert.equal((await sendMessage(c, { login: 'ceo@outgate.test', to: ['a@example.com', 'b@example.com'] })).end, DUNNO);
});

test('malformed or oversized input: warning, disconnect without a reply, nothing counted, server keeps serving', async (t) => {
  const { s, c } = await setup(t, { 'policy.maxRequestBytes': 1024 });
  for (const bad of ['this is not a policy request\n\n', 'request=smtpd_access_policy\nsasl_username=a@b.example\nbroken line\n\n', `request=smtpd_access_policy\nsender=${'x'.repeat(5000)}\n\n`, 'request=junk\n\n']) {
    const conn = await PolicyClient.open(s.policyPort);
    assert.equal(await conn.raw(bad), HANG_UP, JSON.stringify(bad.slice(0, 40)));
    conn.close();
  }
  // A half request then a hang-up from the client: nothing counted either.
  const half = await PolicyClient.open(s.policyPort);
  await half.raw('request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\nsasl_username=a@b.example\nrecipient_count=9', 200).catch(() => 'timeout');
  half.close();
  assert.equal((await sendMessage(c, { login: 'a@b.example', to: ['x@example.com'] })).end, DUNNO);
  assert.equal((await s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity: 'a@b.example' })).recipientsLast24h, 1);
});

test('requests Postfix never sends (a negative recipient_count, a login with CR) are refused and count nothing', async (t) => {
  const { s, c } = await setup(t);
  const who = { sasl_username: 'neg@outgate.test', sender: 'neg@outgate.test', instance: 'neg1' };
  const conn = await PolicyClient.open(s.policyPort);
  assert.equal(await conn.ask({ ...who, protocol_state: 'END-OF-MESSAGE', recipient: '', recipient_count: -1 }), HANG_UP);
  conn.close();
  const cr = await PolicyClient.open(s.policyPort);
  assert.equal(await cr.ask({ sasl_username: 'mallory\r@outgate.test', sender: 'm@outgate.test', instance: 'cr1', protocol_state: 'END-OF-MESSAGE', recipient: 'x@example.com', recipient_count: 1 }), HANG_UP);
  cr.close();
  assert.equal((await s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity: 'neg@outgate.test' })).messagesLastMinute, 0);
  await s.flushSends();
  const db = new Database(join(s.dataDir, 'outgate.db'), { readonly: true });
  assert.deepEqual(db.prepare('SELECT DISTINCT identity FROM sending_minutes').all(), []);
  db.close();
  assert.equal((await sendMessage(c, { login: 'neg@outgate.test', to: ['x@example.com'] })).end, DUNNO, 'the server keeps serving');
});

test('store failure fails closed by default (no reply), and fail-open answers DUNNO', async (t) => {
  for (const failMode of ['closed', 'open'] as const) {
    const { s } = await setup(t, { 'policy.failMode': failMode, 'store.busyTimeoutMs': 50 });
    await s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1');
    const c = await PolicyClient.open(s.policyPort);
    assert.equal((await sendMessage(c, { login: 'f@outgate.test', to: ['x@example.com'] })).end, DUNNO);
    // Another process holding the write lock is a real way for the store to fail: the restriction this
    // recipient trips cannot be made durable.
    const holder = new Database(join(s.dataDir, 'outgate.db'));
    holder.exec('BEGIN EXCLUSIVE');
    const r = await c.ask({ protocol_state: 'RCPT', sasl_username: 'f@outgate.test', sender: 'f@outgate.test', recipient: 'y@example.com', instance: 'lock' });
    holder.exec('ROLLBACK');
    holder.close();
    assert.equal(r, failMode === 'closed' ? HANG_UP : DUNNO);
    c.close();
  }
});

test('recipients asked twice (sender and recipient restrictions) count once; the MTA count rules at the end', async (t) => {
  const { s, c } = await setup(t);
  await s.cli('New-AcceptedDomain', 'Outgate', '-DomainName', 'outgate.test');
  const common = { sasl_username: 'g@outgate.test', sender: 'g@outgate.test', instance: 'dup1' };
  for (const rcpt of ['a@example.com', 'a@example.com', 'b@outgate.test', 'b@outgate.test']) {
    assert.equal(await c.ask({ ...common, protocol_state: 'RCPT', recipient: rcpt }), DUNNO);
  }
  assert.equal(await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: '', recipient_count: 2 }), DUNNO);
  const totals = await s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity: 'g@outgate.test' });
  assert.deepEqual([totals.externalLastHour, totals.internalLastHour, totals.messagesLastMinute], [1, 1, 1]);
});

test('a message abandoned after RCPT holds no quota once Postfix moves on to another message or hangs up', async (t) => {
  const { s, c } = await setup(t);
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '2'));
  const who = { sasl_username: 'h@outgate.test', sender: 'h@outgate.test' };
  const rcpt = (instance: string, recipient: string) => ({ ...who, instance, protocol_state: 'RCPT', recipient, recipient_count: 0 });
  const held = async () => (await s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity: 'h@outgate.test' })).externalLastHour;

  // Two recipients reserved, then the client gives up (RSET) and Postfix starts another message.
  assert.deepEqual([await c.ask(rcpt('a1', 'a@example.com')), await c.ask(rcpt('a1', 'b@example.com'))], [DUNNO, DUNNO]);
  assert.equal(await held(), 2, 'reserved while the message is open');
  assert.equal(await c.ask(rcpt('a2', 'c@example.com')), DUNNO, 'the abandoned message no longer counts against the limit of 2');
  assert.equal(await held(), 1);

  // The same after RCPT on a connection Postfix then closes: nothing waits for the 15-minute expiry.
  const other = await PolicyClient.open(s.policyPort);
  assert.equal(await other.ask(rcpt('b1', 'd@example.com')), DUNNO);
  assert.equal(await held(), 2);
  other.close();
  await waitFor(async () => (await held()) === 1, 'the closed connection released its message');
  assert.equal(await c.ask({ ...who, instance: 'a2', protocol_state: 'END-OF-MESSAGE', recipient: 'c@example.com', recipient_count: 1 }), DUNNO);
  assert.equal((await sendMessage(c, { login: 'h@outgate.test', to: ['e@example.com'] })).end, DUNNO, '2 of 2: only the messages that ended count');
  assert.equal(JSON.parse((await ok(s.cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout).length, 0);
});

test('pipelined requests are answered in order, each after the one before it was decided', async (t) => {
  const { s, c } = await setup(t);
  await s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '2', '-ActionWhenThresholdReached', 'BlockUser');
  const who = { sasl_username: 'p@outgate.test', sender: 'p@outgate.test' };
  const message = (instance: string, to: string) => [
    { ...who, instance, protocol_state: 'RCPT', recipient: to, recipient_count: 0 },
    { ...who, instance, protocol_state: 'END-OF-MESSAGE', recipient: '', recipient_count: 1 },
  ];
  // END-OF-MESSAGE waits for the durable count and the third RCPT for the durable restriction: the
  // requests behind them must neither overtake them nor be decided on stale counts.
  const replies = await c.pipeline([...message('p1', 'a@example.com'), ...message('p2', 'b@example.com'), ...message('p3', 'c@example.com'), { ...who, instance: 'p4', protocol_state: 'MAIL' }]);
  assert.deepEqual(replies, [DUNNO, DUNNO, DUNNO, DUNNO, DENIED, DENIED, DENIED]);
  assert.equal((await s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity: 'p@outgate.test' })).externalLastHour, 2);
  assert.equal(JSON.parse((await s.cli('Get-BlockedSenderAddress', '--format', 'json')).stdout).length, 1);
});

test('idle connections are closed after policy.idleTimeoutSeconds; busy ones stay open', async (t) => {
  const { c: busy, s } = await setup(t, { 'policy.idleTimeoutSeconds': 1 });
  const idle = await PolicyClient.open(s.policyPort);
  t.after(() => idle.close());
  const until = Date.now() + 2_500;
  while (Date.now() < until) {
    assert.equal((await sendMessage(busy, { login: 'busy@outgate.test', to: ['x@example.com'] })).end, DUNNO);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(idle.closed, true, 'the idle connection was closed');
  assert.equal(busy.closed, false, 'the busy connection is still open');
});

/** Waits (without sleeping a fixed time) until `cond` holds: the server sees a client's hang-up a moment later. */
async function waitFor(cond: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > until) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
