// The sending side of the API over a real server: the send check applications call, sending activity,
// one sender's 7 days, the policy what-if over stored history, and the directory routes (rules,
// accepted domains, inbound connectors) with their roles and audit records.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';

const HOUR = 3_600_000;

describe('sending API', { timeout: 120_000 }, () => {
  let s: TestServer;
  let admin = '';
  let reader = '';
  let app = '';
  let contoso = '';

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes are asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  const keyFor = async (name: string, role: string, tenant?: string) => {
    assert.equal((await s.cli('New-AdminAccount', name, '-Role', role, ...(tenant ? ['--tenant', tenant] : []))).code, 0);
    return (JSON.parse((await ok(s.cli('New-ApiKey', name, '--format', 'json'))).stdout) as { Secret: string }).Secret;
  };

  before(async () => {
    s = await startTestServer();
    admin = await keyFor('sec-admin', 'Security Administrator');
    reader = await keyFor('reader', 'Security Reader');
    app = await keyFor('webshop', 'Sending Application');
    assert.equal((await s.cli('New-Tenant', 'Contoso')).code, 0);
    contoso = await keyFor('contoso-app', 'Sending Application', 'Contoso');
  });
  after(() => s?.stop());

  it('manages accepted domains, connectors and rules over the API, each change audited', async () => {
    const dom = await call('POST', '/api/v1/accepted-domains', admin, { DomainName: 'Example.ORG' });
    assert.equal(dom.status, 201, JSON.stringify(dom.body));
    assert.equal(dom.body.DomainName, 'example.org');
    assert.equal((await call('POST', '/api/v1/accepted-domains', admin, { DomainName: 'example.org', Name: 'again' })).body.code, 'OG_ERR_ALREADY_EXISTS');
    assert.equal((await call('POST', '/api/v1/accepted-domains', admin, { DomainName: 'not a domain' })).body.code, 'OG_ERR_INVALID_ARGUMENT');
    assert.ok((await call('GET', '/api/v1/accepted-domains', reader)).body.some((d: { DomainName: string }) => d.DomainName === 'example.org'));

    const con = await call('POST', '/api/v1/inbound-connectors', admin, { Name: 'App servers', SenderIPAddresses: ['127.0.0.0/8'], RecipientLimitPerDay: 3 });
    assert.equal(con.status, 201, JSON.stringify(con.body));
    assert.equal((await call('POST', '/api/v1/inbound-connectors', admin, { Name: 'Bad', SenderIPAddresses: ['300.1.1.1/8'] })).body.code, 'OG_ERR_INVALID_CIDR');
    const changed = await call('PATCH', '/api/v1/inbound-connectors/App%20servers', admin, { Comment: 'web tier' });
    assert.equal(changed.body.Comment, 'web tier');

    assert.equal((await call('POST', '/api/v1/outbound-policies', admin, { Name: 'Bulk', RecipientLimitExternalPerHour: 2 })).status, 201);
    const rule = await call('POST', '/api/v1/outbound-rules', admin, { Name: 'Bulk senders', HostedOutboundSpamFilterPolicy: 'Bulk', From: ['Bulk@Outgate.test'] });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    assert.deepEqual([rule.body.State, rule.body.Priority, rule.body.From], ['Enabled', 0, ['bulk@outgate.test']]);
    assert.equal((await call('POST', '/api/v1/outbound-rules', admin, { Name: 'Empty', HostedOutboundSpamFilterPolicy: 'Bulk' })).body.code, 'OG_ERR_MISSING_PARAMETER');
    assert.equal((await call('PATCH', '/api/v1/outbound-rules/Bulk%20senders', admin, { Enabled: false })).body.State, 'Disabled');
    assert.equal((await call('PATCH', '/api/v1/outbound-rules/Bulk%20senders', admin, { Enabled: true, Comments: 'newsletters' })).body.State, 'Enabled');
    assert.equal((await call('PATCH', '/api/v1/outbound-rules/Bulk%20senders', reader, { Enabled: false })).status, 403);
    assert.equal((await call('DELETE', '/api/v1/inbound-connectors/App%20servers', reader)).status, 403);

    const audit = await call('GET', '/api/v1/audit?operations=New-AcceptedDomain,New-InboundConnector,Set-InboundConnector,New-HostedOutboundSpamFilterRule,Disable-HostedOutboundSpamFilterRule', admin);
    assert.deepEqual(new Set(audit.body.map((r: { Operation: string }) => r.Operation)).size, 5);
    assert.ok(audit.body.every((r: { Source: string; UserId: string }) => r.Source === 'api' && r.UserId === 'sec-admin'));
  });

  it('the send check judges and counts a message like the policy server, up to a restriction with 5.1.8', async () => {
    const one = await call('POST', '/api/v1/check', app, { Sender: 'Bulk@Outgate.test', Recipients: ['a@example.com', 'b@example.org'] });
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual([one.body.Decision, one.body.Counted, one.body.SmtpReply, one.body.Policy], ['Accept', true, null, 'Bulk']);
    assert.deepEqual(one.body.Counts, { ExternalLastHour: 1, InternalLastHour: 1, Last24Hours: 2, MessagesLastMinute: 1 }, 'example.org is an accepted domain: internal');
    assert.equal(one.body.Limits.ExternalPerHour, 2);
    const two = await call('POST', '/api/v1/check', app, { Sender: 'bulk@outgate.test', Recipients: ['c@example.com', 'd@example.com'] });
    assert.deepEqual([two.body.Decision, two.body.Counted, two.body.SmtpReply, two.body.RefusedRecipient, two.body.Restricted], ['Reject', false, '550 5.1.8 Access denied, bad outbound sender', 'd@example.com', true]);
    assert.ok(two.body.RestrictionExpires, 'BlockUserForToday: expires at midnight UTC');
    const policyServer = await PolicyClient.open(s.policyPort);
    const viaPostfix = await sendMessage(policyServer, { login: 'bulk@outgate.test', to: ['e@example.org'] });
    policyServer.close();
    assert.match(viaPostfix.rcpt[0]!, /^action=550 5\.1\.8 /, 'the Postfix path sees the same restriction');
    const listed = await call('GET', '/api/v1/restricted-entities?status=Restricted&search=bulk', reader);
    assert.equal(listed.body.total, 1);
  });

  it('refuses bad input to the send check precisely, and keeps it to the right callers', async () => {
    const bad = await call('POST', '/api/v1/check', app, { Sender: 'x@outgate.test', Recipients: ['ok@example.com', '<script>@@'] });
    assert.deepEqual([bad.status, bad.body.code], [400, 'OG_ERR_INVALID_ADDRESS']);
    assert.match(bad.body.message, /Recipients '<script>@@'/);
    assert.equal((await call('POST', '/api/v1/check', app, { Recipients: ['a@example.com'] })).body.code, 'OG_ERR_MISSING_PARAMETER');
    assert.equal((await call('POST', '/api/v1/check', app, { Sender: 'x@outgate.test', Recipients: [] })).status, 400);
    assert.equal((await call('POST', '/api/v1/check', app, { ClientAddress: 'nope', Recipients: ['a@example.com'] })).body.code, 'OG_ERR_INVALID_ARGUMENT');
    // A login with CR would become a stored identity nobody can type or see (issue 15, item 9).
    const cr = await call('POST', '/api/v1/check', app, { Sender: 'mallory\r@outgate.test', Recipients: ['a@example.com'] });
    assert.deepEqual([cr.status, cr.body.code, cr.body.message], [400, 'OG_ERR_INVALID_ARGUMENT', "Sender 'mallory\\x0d@outgate.test' contains a control character."]);
    assert.equal((await s.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity: 'mallory\r@outgate.test' })).recipientsLast24h, 0);
    assert.equal((await call('POST', '/api/v1/check', reader, { Sender: 'x@outgate.test', Recipients: ['a@example.com'] })).status, 403, 'a reader cannot count mail');
    assert.equal((await call('GET', '/api/v1/restricted-entities', app)).status, 403, 'an application key sees nothing');
    const other = await call('POST', '/api/v1/check', contoso, { Sender: 'x@outgate.test', Recipients: ['a@example.com'] });
    assert.deepEqual([other.status, other.body.code], [404, 'OG_ERR_NOT_FOUND'], "another tenant's sender does not exist for a tenant key");
    const nothing = await call('GET', '/api/v1/sending-activity?search=x@outgate.test', admin);
    assert.equal(nothing.body.Total, 0, 'refused checks counted nothing');
  });

  it('counts unauthenticated mail from a connector address as the connector', async () => {
    const r = await call('POST', '/api/v1/check', app, { ClientAddress: '127.0.0.9', Recipients: ['z@example.com'] });
    assert.deepEqual([r.body.Decision, r.body.Sender.EntityType, r.body.Policy], ['Accept', 'Connector', 'InboundConnector:App servers']);
    const none = await call('POST', '/api/v1/check', app, { ClientAddress: '192.0.2.1', Recipients: ['z@example.com'] });
    assert.deepEqual([none.body.Decision, none.body.Counted, none.body.Sender], ['Accept', false, null], 'not ours to count');
  });

  it('shows the senders closest to their limits, largest share first, and one sender over 7 days', async () => {
    const c = await PolicyClient.open(s.policyPort);
    for (let i = 0; i < 4; i++) await sendMessage(c, { login: 'busy@outgate.test', to: [`r${i}@example.com`] });
    await sendMessage(c, { login: 'quiet@outgate.test', to: ['q@example.com'] });
    c.close();
    const act = await call('GET', '/api/v1/sending-activity', reader);
    assert.equal(act.status, 200, JSON.stringify(act.body));
    const shares = act.body.Items.map((i: { Share: number }) => i.Share);
    assert.deepEqual(shares, [...shares].sort((a: number, b: number) => b - a));
    const busy = act.body.Items.find((i: { Entity: string }) => i.Entity === 'busy@outgate.test');
    assert.deepEqual([busy.ExternalLastHour, busy.LimitExternalPerHour, busy.ShareExternal, busy.Share, busy.Policy], [4, 500, 0.008, 0.008, 'Default']);
    const bulk = act.body.Items.find((i: { Entity: string }) => i.Entity === 'bulk@outgate.test');
    assert.equal(bulk.Restricted, true);
    assert.equal(act.body.Items[0].Entity, 'bulk@outgate.test', '1 of 2 external per hour: the closest');
    await s.flushSends(); // hourly history is read from the store, which the journal reaches within 200 ms
    const one = await call('GET', '/api/v1/sending-activity/Mailbox/Busy@Outgate.test', reader);
    assert.equal(one.body.ByHour.length, 168);
    assert.equal(one.body.ByHour.at(-1).External, 4);
    const cont = await call('GET', `/api/v1/sending-activity/Connector/${encodeURIComponent('App servers')}`, reader);
    assert.equal(cont.body.Last24Hours, 1);
  });

  it('what-if: replays the last 7 days against a proposed policy and names who it would have restricted', async () => {
    // Yesterday: heavy@ sends 40 external recipients in one hour, light@ sends 5.
    s.clock.advance(-24 * HOUR);
    const c = await PolicyClient.open(s.policyPort);
    for (let i = 0; i < 4; i++) await sendMessage(c, { login: 'heavy@outgate.test', to: Array.from({ length: 10 }, (_, k) => `h${i}-${k}@example.com`) });
    await sendMessage(c, { login: 'light@outgate.test', to: ['l1@example.com', 'l2@example.com', 'l3@example.com', 'l4@example.com', 'l5@example.com'] });
    c.close();
    s.clock.advance(24 * HOUR);
    await s.flushSends(); // what-if reads the store, which the journal reaches within 200 ms

    const strict = await call('POST', '/api/v1/outbound-policies/what-if', admin, { Name: 'Strict', Settings: { RecipientLimitExternalPerHour: 20 }, Rule: { SenderDomainIs: ['outgate.test'] } });
    assert.equal(strict.status, 200, JSON.stringify(strict.body));
    assert.deepEqual(strict.body.Restricted.map((r: { Entity: string; Limit: string; Count: number }) => [r.Entity, r.Limit, r.Count]), [['heavy@outgate.test', 'RecipientLimitExternalPerHour', 40]]);
    assert.equal(strict.body.Restricted[0].At, new Date(Math.floor((s.clock.now() - 24 * HOUR) / HOUR) * HOUR).toISOString());
    assert.ok(strict.body.SendersEvaluated >= 2);
    assert.equal(strict.body.CurrentCount, 0, 'the default policy restricted none of them');
    const looser = await call('POST', '/api/v1/outbound-policies/what-if', admin, { Policy: 'Default', Settings: { RecipientLimitExternalPerHour: 3 } });
    assert.deepEqual(looser.body.Restricted.map((r: { Entity: string }) => r.Entity).sort(), ['busy@outgate.test', 'heavy@outgate.test', 'light@outgate.test'].sort());
    const none = await call('POST', '/api/v1/outbound-policies/what-if', admin, { Name: 'Nobody', Settings: { RecipientLimitExternalPerHour: 1 }, Rule: { From: ['nobody@outgate.test'] } });
    assert.deepEqual([none.body.SendersEvaluated, none.body.Count], [0, 0]);
    assert.equal((await call('POST', '/api/v1/outbound-policies/what-if', admin, { Name: 'X', Settings: { RecipientLimitPerDay: 10001 } })).status, 400);
    assert.equal((await call('POST', '/api/v1/outbound-policies/what-if', admin, { Name: 'X', Settings: {} })).body.code, 'OG_ERR_MISSING_PARAMETER', 'a new policy needs a rule');
    assert.equal((await call('GET', '/api/v1/outbound-policies/Strict', admin)).status, 404, 'what-if saves nothing');
    assert.equal((await call('POST', '/api/v1/outbound-policies/what-if', reader, { Policy: 'Default' })).status, 200, 'readers may ask what-if');
  });

  it('what-if judges a proposed policy in its real place among the rules, as live checks do after saving', async () => {
    // Sales team (priority 0 after it is placed first) covers heavy@ with a generous limit.
    assert.equal((await call('POST', '/api/v1/outbound-policies', admin, { Name: 'Sales team', RecipientLimitExternalPerHour: 500 })).status, 201);
    assert.equal((await call('POST', '/api/v1/outbound-rules', admin, { Name: 'Sales team', HostedOutboundSpamFilterPolicy: 'Sales team', From: ['heavy@outgate.test'], Priority: 0 })).status, 201);
    const proposal = { Name: 'Everyone', Settings: { RecipientLimitExternalPerHour: 3 }, Rule: { SenderDomainIs: ['outgate.test'] } };
    const restricted = (body: { Restricted: Array<{ Entity: string }> }) => body.Restricted.map((r) => r.Entity).sort();

    const last = await call('POST', '/api/v1/outbound-policies/what-if', admin, proposal);
    assert.equal(last.status, 200, JSON.stringify(last.body));
    assert.equal(last.body.Priority, 2, 'a new rule goes last, as saving puts it');
    assert.deepEqual(last.body.EvaluatedAfter, ['Sales team', 'Bulk']);
    assert.ok(!restricted(last.body).includes('heavy@outgate.test'), 'Sales team judges heavy@ first');
    assert.deepEqual(restricted(last.body), ['busy@outgate.test', 'light@outgate.test']);
    const first = await call('POST', '/api/v1/outbound-policies/what-if', admin, { ...proposal, Priority: 0 });
    assert.deepEqual([first.body.Priority, first.body.EvaluatedAfter], [0, []]);
    assert.ok(restricted(first.body).includes('heavy@outgate.test'), 'placed first, it takes heavy@ over');
    assert.equal((await call('POST', '/api/v1/outbound-policies/what-if', admin, { ...proposal, Priority: 3 })).body.code, 'OG_ERR_OUT_OF_RANGE');

    // Saved as the wizard saves it (no priority): live checks pick the same policy for the same senders.
    assert.equal((await call('POST', '/api/v1/outbound-policies', admin, { Name: 'Everyone', RecipientLimitExternalPerHour: 3 })).status, 201);
    assert.equal((await call('POST', '/api/v1/outbound-rules', admin, { Name: 'Everyone', HostedOutboundSpamFilterPolicy: 'Everyone', SenderDomainIs: ['outgate.test'] })).body.Priority, 2);
    const five = Array.from({ length: 5 }, (_, k) => `live${k}@example.com`);
    const live: string[] = [];
    for (const sender of ['heavy@outgate.test', 'light@outgate.test', 'busy@outgate.test']) {
      const r = await call('POST', '/api/v1/check', app, { Sender: sender, Recipients: five });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (r.body.Policy === 'Everyone') live.push(sender);
      assert.equal(r.body.Decision, r.body.Policy === 'Everyone' ? 'Reject' : 'Accept', `${sender}: ${JSON.stringify(r.body)}`);
    }
    assert.deepEqual(live.sort(), restricted(last.body), 'what-if and live evaluation agree on who the policy judges');
  });
});
