// Issue 14: what an Exchange admin would trip over, each as a scenario through the Postfix policy
// protocol and the send check (POST /api/v1/check), with the exact reply lines (docs/spec.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAlert, listAlerts } from '../src/app/alerts.js';
import { SYSTEM } from '../src/domain/events.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { rmSync } from 'node:fs';
import { fails, ok, startTestServer, tempDataDir, type TestServer } from './support/outgate.js';

const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';
const DUNNO = 'action=DUNNO';
const REFUSED = '550 5.1.8 Access denied, bad outbound sender';

interface Ctx {
  after: (fn: () => Promise<void> | void) => void;
}

async function setup(t: Ctx, overrides: Record<string, unknown> = {}): Promise<{ s: TestServer; c: PolicyClient; check: (body: unknown) => Promise<CheckBody> }> {
  // The client connects before the CLI configures the server; on a loaded machine that takes longer
  // than the request deadline, which counts from the connect (docs/postfix.md), so it is lifted here.
  const s = await startTestServer({ 'policy.requestTimeoutSeconds': 3600, ...overrides });
  t.after(() => s.stop());
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  await ok(s.cli('New-AcceptedDomain', '-Name', 'Outgate', '-DomainName', 'outgate.test'));
  await ok(s.cli('New-AdminAccount', 'eop-app', '-Role', 'Sending Application'));
  const key = (JSON.parse((await ok(s.cli('New-ApiKey', 'eop-app', '--format', 'json'))).stdout) as { Secret: string }).Secret;
  const check = async (body: unknown): Promise<CheckBody> => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/api/v1/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const b = (await res.json()) as CheckBody;
    assert.equal(res.status, 200, JSON.stringify(b));
    return b;
  };
  return { s, c, check };
}

interface CheckBody {
  Decision: string;
  SmtpReply: string | null;
  Policy: string | null;
  Restricted: boolean;
  Sender: { Identity: string } | null;
}

const blocked = async (s: TestServer): Promise<Array<{ SenderAddress: string; Reason: string }>> =>
  JSON.parse((await ok(s.cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{ SenderAddress: string; Reason: string }>;

test('item 3: the Reason carries the spec keys in order, with the queue id or the check API MessageId as trace id', async (t) => {
  const { s, c, check } = await setup(t);
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['a@example.com'] }), { rcpt: [DUNNO], end: DUNNO });
  assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['b@example.com'], queueId: '3F2A11C0D' }), { rcpt: [DENIED], end: 'not-sent' });
  assert.equal((await check({ Sender: 'api@outgate.test', Recipients: ['a@example.com'] })).Decision, 'Accept');
  const over = await check({ Sender: 'api@outgate.test', Recipients: ['b@example.com'], MessageId: '<m1@outgate.test>' });
  assert.deepEqual([over.Decision, over.SmtpReply], ['Reject', REFUSED]);
  const reasons = Object.fromEntries((await blocked(s)).map((b) => [b.SenderAddress, b.Reason]));
  const spec = (id: string) =>
    `EmailSendingLimitExceeded;InternalRecipientCountToday=0;ExternalRecipientCountToday=1;ExceedingLimitType=External;Last MessagetraceId=${id};LastMessageRcptCount=1;RecipientLimitExternalPerHour=1;OutboundMailLast24Hours=1;Policy=Default;`;
  assert.deepEqual(reasons, { 'pf@outgate.test': spec('3F2A11C0D'), 'api@outgate.test': spec('<m1@outgate.test>') });
});

test('item 6: BccSuspiciousOutboundMail is refused on a custom policy, RecommendedPolicyType accepted and ignored', async (t) => {
  const { s } = await setup(t);
  const refused = await fails(s.cli('New-HostedOutboundSpamFilterPolicy', 'Bulk', '-BccSuspiciousOutboundMail', '$true'));
  assert.match(refused.stderr, /OG_ERR_INVALID_ARGUMENT/);
  assert.match(refused.stderr, /BccSuspiciousOutboundMail works only in the default outbound spam policy; 'Bulk' is a custom policy\. Set it on 'Default'\./);
  await ok(s.cli('New-HostedOutboundSpamFilterPolicy', 'Bulk', '-RecommendedPolicyType', 'Standard', '-RecipientLimitPerDay', '5'));
  const shown = JSON.parse((await ok(s.cli('Get-HostedOutboundSpamFilterPolicy', 'Bulk', '--format', 'json'))).stdout) as Array<Record<string, unknown>>;
  assert.equal(shown[0]!.RecipientLimitPerDay, 5);
  assert.equal('RecommendedPolicyType' in shown[0]!, false, 'ignored, not stored');
  await fails(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Bulk', '-BccSuspiciousOutboundMail', '$true'));
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Bulk', '-BccSuspiciousOutboundMail', '$false'));
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-BccSuspiciousOutboundMail', '$true'));
});

test('item 2: a user unblocked from BlockUser is not restricted again that day, yet counted and alerted; from 00:00 UTC it is', async (t) => {
  const { s, c, check } = await setup(t);
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser'));
  // Restricted through each driver, then unblocked.
  assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['a@example.com'] }), { rcpt: [DUNNO], end: DUNNO });
  assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['b@example.com'] }), { rcpt: [DENIED], end: 'not-sent' });
  assert.equal((await check({ Sender: 'api@outgate.test', Recipients: ['a@example.com'] })).Decision, 'Accept');
  assert.equal((await check({ Sender: 'api@outgate.test', Recipients: ['b@example.com'] })).SmtpReply, REFUSED);
  await ok(s.cli('Remove-BlockedSenderAddress', '-SenderAddress', 'pf@outgate.test'));
  await ok(s.cli('Remove-BlockedSenderAddress', '-SenderAddress', 'api@outgate.test'));

  // Over the limit again the same day: let through, counted, alerted, not listed.
  for (const to of [['c@example.com'], ['d@example.com'], ['e@example.com']]) {
    assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to }), { rcpt: [DUNNO], end: DUNNO });
    const r = await check({ Sender: 'api@outgate.test', Recipients: to });
    assert.deepEqual([r.Decision, r.SmtpReply, r.Restricted], ['Accept', null, false]);
  }
  assert.deepEqual(await blocked(s), []);
  for (const identity of ['pf@outgate.test', 'api@outgate.test']) {
    assert.equal((await s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity })).externalLastHour, 3, 'still counted');
  }
  await s.alerts.runOnce();
  const { items } = await listAlerts({ store: s.store, clock: s.clock, actor: SYSTEM });
  assert.deepEqual(
    items.filter((a) => a.PolicyName === 'Email sending limit exceeded').map((a) => a.Entity).sort(),
    ['api@outgate.test', 'pf@outgate.test'],
  );

  // 00:00 UTC the next day (TEST_EPOCH is 09:00): the limit restricts again.
  s.clock.advance(15 * 3_600_000);
  assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['f@example.com', 'g@example.com'] }), { rcpt: [DUNNO, DENIED], end: DENIED });
  const r = await check({ Sender: 'api@outgate.test', Recipients: ['f@example.com', 'g@example.com'] });
  assert.deepEqual([r.Decision, r.SmtpReply, r.Restricted], ['Reject', REFUSED, true]);
  assert.deepEqual((await blocked(s)).map((b) => b.SenderAddress).sort(), ['api@outgate.test', 'pf@outgate.test']);
});

test('item 4: the Alert action tells the User restricted from sending email recipients too, once per address', async (t) => {
  const { s, c, check } = await setup(t);
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'Alert'));
  await ok(s.cli('Set-ProtectionAlert', 'User restricted from sending email', '-NotifyUser', 'soc@outgate.test,shared@outgate.test'));
  await ok(s.cli('Set-ProtectionAlert', 'Email sending limit exceeded', '-NotifyUser', 'shared@outgate.test'));
  for (const to of [['a@example.com'], ['b@example.com']]) {
    assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to }), { rcpt: [DUNNO], end: DUNNO });
    const r = await check({ Sender: 'api@outgate.test', Recipients: to });
    assert.deepEqual([r.Decision, r.SmtpReply, r.Restricted], ['Accept', null, false]);
  }
  await s.alerts.runOnce();
  const ctx = { store: s.store, clock: s.clock, actor: SYSTEM };
  const { items } = await listAlerts(ctx);
  assert.deepEqual(items.map((a) => [a.PolicyName, a.Entity]).sort(), [
    ['Email sending limit exceeded', 'api@outgate.test'],
    ['Email sending limit exceeded', 'pf@outgate.test'],
  ]);
  for (const a of items) {
    const detail = await getAlert(ctx, a.Identity);
    assert.deepEqual(detail.Notifications.map((n) => [n.Channel, n.Recipient, n.Status]).sort(), [
      ['email', 'shared@outgate.test', 'Pending'],
      ['email', 'soc@outgate.test', 'Pending'],
    ]);
  }
});

test('item 5: service events carry EOP HygieneEvent / HygieneTenantEvents names and are found by them', async (t) => {
  const { s, c, check } = await setup(t);
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['a@example.com', 'b@example.com'] }), { rcpt: [DUNNO, DENIED], end: DENIED });
  assert.equal((await check({ Sender: 'api@outgate.test', Recipients: ['a@example.com', 'b@example.com'] })).SmtpReply, REFUSED);
  const found = JSON.parse((await ok(s.cli('Search-AdminAuditLog', '-Operations', 'HygieneTenantEvents', '--format', 'json'))).stdout) as Array<{
    Operation: string;
    ObjectId: string;
    After: Record<string, unknown>;
  }>;
  assert.deepEqual(
    found.map((r) => [r.Operation, r.ObjectId, r.After.RecordType, r.After.EopOperation, r.After.Event, r.After.EventValue]).sort(),
    [
      ['SenderRestricted', 'Mailbox:api@outgate.test', 'HygieneEvent', 'HygieneTenantEvents', 'Listed', 'api@outgate.test'],
      ['SenderRestricted', 'Mailbox:pf@outgate.test', 'HygieneEvent', 'HygieneTenantEvents', 'Listed', 'pf@outgate.test'],
    ],
  );
  // Outgate's own operation names still find them, and admin changes are not hygiene events.
  assert.equal(JSON.parse((await ok(s.cli('Search-AdminAuditLog', '-Operations', 'SenderRestricted', '--format', 'json'))).stdout).length, 2);
});

test('item 1: the sending address selects the policy only with Send As, alike on the policy server and the check API', async (t) => {
  const { s, c, check } = await setup(t);
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  await ok(s.cli('New-HostedOutboundSpamFilterPolicy', 'Lax', '-RecipientLimitExternalPerHour', '5'));
  await ok(s.cli('New-HostedOutboundSpamFilterRule', 'Lax', '-HostedOutboundSpamFilterPolicy', 'Lax', '-From', 'boss@outgate.test'));
  await ok(s.cli('New-AdminAccount', 'sec', '-Role', 'Security Administrator'));
  const admin = (JSON.parse((await ok(s.cli('New-ApiKey', 'sec', '--format', 'json'))).stdout) as { Secret: string }).Secret;
  const rest = async (method: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/api/v1/recipient-permissions`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & Array<Record<string, unknown>> };
  };
  const viaPostfix = (login: string, to: string) => sendMessage(c, { login, from: 'boss@outgate.test', to: [to] });
  const viaCheck = async (login: string, to: string) => {
    const r = await check({ Sender: login, From: 'boss@outgate.test', Recipients: [to] });
    return [r.Decision, r.SmtpReply, r.Policy, r.Sender?.Identity];
  };

  // No Send As: boss's laxer policy is not borrowed; the login's own (Default) applies.
  assert.deepEqual(await viaPostfix('eve-pf@outgate.test', 'a@example.com'), { rcpt: [DUNNO], end: DUNNO });
  assert.deepEqual(await viaPostfix('eve-pf@outgate.test', 'b@example.com'), { rcpt: [DENIED], end: 'not-sent' });
  assert.deepEqual(await viaCheck('eve-api@outgate.test', 'a@example.com'), ['Accept', null, 'Default', 'eve-api@outgate.test']);
  assert.deepEqual(await viaCheck('eve-api@outgate.test', 'b@example.com'), ['Reject', REFUSED, 'Default', 'eve-api@outgate.test']);

  // With Send As (CLI and REST): boss's policy, still counted against the login.
  await ok(s.cli('Add-RecipientPermission', '-Identity', 'Boss@Outgate.test', '-Trustee', 'svc-pf@outgate.test', '-AccessRights', 'SendAs'));
  const added = await rest('POST', { Identity: 'boss@outgate.test', Trustee: 'svc-api@outgate.test', AccessRights: 'SendAs' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.deepEqual(
    (JSON.parse((await ok(s.cli('Get-RecipientPermission', 'boss@outgate.test', '--format', 'json'))).stdout) as Array<{ Trustee: string; AccessRights: string[] }>).map((p) => [p.Trustee, p.AccessRights]),
    [['svc-api@outgate.test', ['SendAs']], ['svc-pf@outgate.test', ['SendAs']]],
  );
  for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) {
    assert.deepEqual(await viaPostfix('svc-pf@outgate.test', to), { rcpt: [DUNNO], end: DUNNO });
    assert.deepEqual(await viaCheck('svc-api@outgate.test', to), ['Accept', null, 'Lax', 'svc-api@outgate.test']);
  }
  const totals = (identity: string) => s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity });
  assert.deepEqual(await totals('svc-api@outgate.test'), await totals('svc-pf@outgate.test'));
  assert.equal((await totals('boss@outgate.test')).externalLastHour, 0, 'boss is not counted');

  // Withdrawn: back to the login's own policy, which the 3 recipients already exceed.
  await ok(s.cli('Remove-RecipientPermission', 'boss@outgate.test', '-Trustee', 'svc-pf@outgate.test', '-AccessRights', 'SendAs'));
  assert.equal((await rest('DELETE', { Identity: 'boss@outgate.test', Trustee: 'svc-api@outgate.test', AccessRights: 'SendAs' })).status, 200);
  assert.deepEqual(await viaPostfix('svc-pf@outgate.test', 'd@example.com'), { rcpt: [DENIED], end: 'not-sent' });
  assert.deepEqual(await viaCheck('svc-api@outgate.test', 'd@example.com'), ['Reject', REFUSED, 'Default', 'svc-api@outgate.test']);

  // Exchange's names and checks; every change audited.
  const bad = await fails(s.cli('Add-RecipientPermission', 'boss@outgate.test', '-Trustee', 'svc-pf@outgate.test', '-AccessRights', 'FullAccess'));
  assert.match(bad.stderr, /OG_ERR_INVALID_ARGUMENT.*AccessRights must be one of SendAs/);
  assert.equal((await rest('DELETE', { Identity: 'boss@outgate.test', Trustee: 'svc-api@outgate.test', AccessRights: 'SendAs' })).body.code, 'OG_ERR_NOT_FOUND');
  const audit = JSON.parse((await ok(s.cli('Search-AdminAuditLog', '-Operations', 'Add-RecipientPermission,Remove-RecipientPermission', '--format', 'json'))).stdout) as Array<{ Operation: string; ObjectId: string }>;
  assert.deepEqual(audit.map((a) => a.Operation).sort(), ['Add-RecipientPermission', 'Add-RecipientPermission', 'Remove-RecipientPermission', 'Remove-RecipientPermission']);
});

test('item 7: sub-addressed logins count apart by default, and as their mailbox with policy.recipientDelimiter', async (t) => {
  const send = async (s: TestServer, c: PolicyClient, check: (b: unknown) => Promise<CheckBody>) => {
    const answers: unknown[] = [];
    for (const [pf, api] of [
      ['alice@outgate.test', 'bob@outgate.test'],
      ['alice+news@outgate.test', 'bob+shop@outgate.test'],
    ] as const) {
      answers.push(await sendMessage(c, { login: pf, to: ['a@example.com'] }));
      const r = await check({ Sender: api, Recipients: ['a@example.com'] });
      answers.push([r.Decision, r.SmtpReply, r.Sender?.Identity]);
    }
    return { answers, blocked: (await blocked(s)).map((b) => b.SenderAddress).sort() };
  };
  const off = await setup(t);
  await ok(off.s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  assert.deepEqual(await send(off.s, off.c, off.check), {
    answers: [
      { rcpt: [DUNNO], end: DUNNO },
      ['Accept', null, 'bob@outgate.test'],
      { rcpt: [DUNNO], end: DUNNO },
      ['Accept', null, 'bob+shop@outgate.test'],
    ],
    blocked: [],
  });

  const on = await setup(t, { 'policy.recipientDelimiter': '+' });
  await ok(on.s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  assert.deepEqual(await send(on.s, on.c, on.check), {
    answers: [
      { rcpt: [DUNNO], end: DUNNO },
      ['Accept', null, 'bob@outgate.test'],
      { rcpt: [DENIED], end: 'not-sent' },
      ['Reject', REFUSED, 'bob@outgate.test'],
    ],
    blocked: ['alice@outgate.test', 'bob@outgate.test'],
  });
});

test('item 2: the same-day reprieve after an unblock outlives a restart', async (t) => {
  const dir = tempDataDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = await startTestServer({ 'policy.requestTimeoutSeconds': 3600 }, dir, { keepDataDir: true });
  try {
    await ok(first.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser'));
    const c = await PolicyClient.open(first.policyPort);
    assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['a@example.com', 'b@example.com'] }), { rcpt: [DUNNO, DENIED], end: DENIED });
    c.close();
    await ok(first.cli('Remove-BlockedSenderAddress', '-SenderAddress', 'pf@outgate.test'));
  } finally {
    await first.stop();
  }
  const second = await startTestServer({ 'policy.requestTimeoutSeconds': 3600 }, dir, { keepDataDir: true });
  t.after(() => second.stop());
  const c = await PolicyClient.open(second.policyPort);
  t.after(() => c.close());
  assert.deepEqual(await sendMessage(c, { login: 'pf@outgate.test', to: ['c@example.com', 'd@example.com'] }), { rcpt: [DUNNO, DUNNO], end: DUNNO });
  assert.deepEqual(await blocked(second), []);
});
