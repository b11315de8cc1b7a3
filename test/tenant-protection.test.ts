// Issue 14, tenant-level protection: a tenant's external recipients per rolling 24 h (Set-Tenant
// -ExternalRecipientLimitPerDay), through the Postfix policy protocol and the send check, with the exact
// reply lines (docs/tenancy.md). Over the limit the tenant is a Restricted entity of type Tenant; only a
// provider-level Global Administrator unblocks it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAlert, listAlerts } from '../src/app/alerts.js';
import { SYSTEM } from '../src/domain/events.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { contosoWithExternalLimit, fails, ok, startTestServer } from './support/outgate.js';

const DUNNO = 'action=DUNNO';
const TERRL =
  "550 5.7.233 Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)";
const TENANT_DENIED = '550 5.7.705 Access denied, tenant has exceeded threshold';

interface CheckBody {
  Decision: string;
  SmtpReply: string | null;
  RefusedRecipient: string | null;
}

test('a tenant over its external recipient limit: 5.7.233 for its external recipients, internal mail and other tenants flow, a provider unblocks it', async (t) => {
  const s = await startTestServer({ 'policy.requestTimeoutSeconds': 3600 });
  t.after(() => s.stop());
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  await ok(s.cli('New-Tenant', 'Contoso'));
  await ok(s.cli('New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.test', '--tenant', 'Contoso'));
  await ok(s.cli('New-AcceptedDomain', '-Name', 'Outgate', '-DomainName', 'outgate.test'));
  const bad = await fails(s.cli('Set-Tenant', 'Contoso', '-ExternalRecipientLimitPerDay', '-1'));
  assert.match(bad.stderr, /OG_ERR_OUT_OF_RANGE/);
  await ok(s.cli('Set-Tenant', 'Contoso', '-ExternalRecipientLimitPerDay', '5'));
  const key = async (name: string, role: string, tenant?: string): Promise<string> => {
    await ok(s.cli('New-AdminAccount', name, '-Role', role, '-Email', `${name}@outgate.test`, ...(tenant ? ['--tenant', tenant] : [])));
    return (JSON.parse((await ok(s.cli('New-ApiKey', name, '--format', 'json'))).stdout) as { Secret: string }).Secret;
  };
  const app = await key('app', 'Sending Application');
  const contosoAdmin = await key('contoso-ga', 'Global Administrator', 'Contoso');
  const defaultReader = await key('default-reader', 'Global Reader', 'Default');
  const api = async (
    k: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${k}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const check = async (body: unknown): Promise<CheckBody> => {
    const r = await api(app, 'POST', '/api/v1/check', body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as unknown as CheckBody;
  };

  // 2 + 2 external recipients: within the limit of 5; the 4th is 80 %, the early warning.
  assert.deepEqual(await sendMessage(c, { login: 'a@contoso.test', to: ['x1@example.com', 'x2@example.com', 'in@contoso.test'] }), {
    rcpt: [DUNNO, DUNNO, DUNNO],
    end: DUNNO,
  });
  assert.equal((await check({ Sender: 'b@contoso.test', Recipients: ['x3@example.com', 'x4@example.com'] })).Decision, 'Accept');
  // The 5th external recipient goes, the 6th would pass the limit: refused, and the tenant restricted.
  assert.deepEqual(await sendMessage(c, { login: 'c@contoso.test', to: ['x5@example.com', 'x6@example.com', 'in2@contoso.test'] }), {
    rcpt: [DUNNO, `action=${TERRL}`, DUNNO],
    end: DUNNO,
  });
  const refused = await check({ Sender: 'd@contoso.test', Recipients: ['in3@contoso.test', 'x7@example.com'] });
  assert.deepEqual([refused.Decision, refused.SmtpReply, refused.RefusedRecipient], ['Reject', TERRL, 'x7@example.com']);
  assert.equal((await check({ Sender: 'd@contoso.test', Recipients: ['in3@contoso.test'] })).Decision, 'Accept', 'internal mail flows');
  assert.deepEqual(
    await sendMessage(c, { login: 'pf@outgate.test', to: ['y@example.com'] }),
    { rcpt: [DUNNO], end: DUNNO },
    'another tenant is not touched',
  );
  // A message whose recipients were not asked about one by one is refused whole at its end.
  const endOnly = await c.ask({
    sasl_username: 'e@contoso.test',
    sender: 'e@contoso.test',
    instance: 'end-only.1',
    client_address: '127.0.0.1',
    protocol_state: 'END-OF-MESSAGE',
    recipient: 'x8@example.com',
    recipient_count: 1,
  });
  assert.equal(endOnly, `action=${TENANT_DENIED}`);

  const listed = JSON.parse((await ok(s.cli('Get-BlockedTenant', '--format', 'json'))).stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(
    listed.map((e) => [e.Entity, e.TenantName, e.Status, e.Policy, e.Reason]),
    [
      [
        'Tenant',
        'Contoso',
        'Restricted',
        'TenantExternalRecipientLimit',
        'TenantExternalRecipientLimitExceeded;ExternalRecipientCountLast24Hours=6;TenantExternalRecipientLimitPerDay=5;Policy=TenantExternalRecipientLimit;',
      ],
    ],
  );
  const contosoId = String(listed[0]!.TenantId);

  // Both default alert policies raise, in the tenant, and notify its Global Administrators.
  await s.alerts.runOnce();
  const ctx = { store: s.store, clock: s.clock, actor: SYSTEM };
  const raised = (await listAlerts(ctx)).items.filter((a) => a.EntityType === 'Tenant');
  assert.deepEqual(raised.map((a) => [a.PolicyName, a.Severity, a.Entity, a.TenantId]).sort(), [
    ['Suspicious tenant sending patterns observed', 'High', contosoId, contosoId],
    ['Tenant restricted from sending email', 'High', contosoId, contosoId],
  ]);
  for (const a of raised) {
    const recipients = (await getAlert(ctx, a.Identity)).Notifications.map((n) => n.Recipient);
    assert.ok(recipients.includes('contoso-ga@outgate.test'), `${a.PolicyName}: ${recipients.join(', ')}`);
  }

  // Isolation: the tenant's admin sees its row but cannot unblock it nor raise its limit; another tenant sees nothing.
  const seen = await api(contosoAdmin, 'GET', '/api/v1/restricted-entities?entityType=Tenant');
  assert.equal(seen.body.total, 1);
  const denied = await api(contosoAdmin, 'POST', '/api/v1/restricted-entities/Tenant/Contoso/unblock', {});
  assert.deepEqual(
    [denied.status, denied.body.code, denied.body.message],
    [403, 'OG_ERR_FORBIDDEN', 'Only a provider-level Global Administrator can unblock a tenant.'],
  );
  const raise = await api(contosoAdmin, 'PATCH', '/api/v1/tenants/Contoso', { ExternalRecipientLimitPerDay: 0 });
  assert.deepEqual([raise.status, raise.body.code], [403, 'OG_ERR_FORBIDDEN']);
  assert.equal((await api(defaultReader, 'GET', '/api/v1/restricted-entities?entityType=Tenant')).body.total, 0);

  // The provider unblocks it: its count restarts, external mail flows again.
  await ok(s.cli('Remove-BlockedTenant', 'Contoso', '-Reason', 'Compromised accounts reset'));
  assert.deepEqual(JSON.parse((await ok(s.cli('Get-BlockedTenant', '--format', 'json'))).stdout), []);
  assert.equal((await check({ Sender: 'd@contoso.test', Recipients: ['x9@example.com'] })).Decision, 'Accept');
  const again = await fails(s.cli('Remove-BlockedTenant', 'Contoso'));
  assert.match(again.stderr, /OG_ERR_TENANT_NOT_BLOCKED/);

  // Both changes are in the tenant's audit log.
  const audit = JSON.parse((await ok(s.cli('Search-AdminAuditLog', '--tenant', 'Contoso', '--format', 'json'))).stdout) as Array<{
    Operation?: string;
    CmdletName?: string;
  }>;
  const ops = audit.map((r) => r.Operation ?? r.CmdletName);
  assert.ok(ops.includes('Set-Tenant'), ops.join(', '));
});

test('the send check says when the tenant is restricted: which entity, and the reply the policy server gives', async (t) => {
  const s = await startTestServer({ 'policy.requestTimeoutSeconds': 3600 });
  t.after(() => s.stop());
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  await contosoWithExternalLimit(s, 2);
  await ok(s.cli('New-AdminAccount', 'app', '-Role', 'Sending Application'));
  const key = (JSON.parse((await ok(s.cli('New-ApiKey', 'app', '--format', 'json'))).stdout) as { Secret: string }).Secret;
  const check = async (body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/api/v1/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(json));
    return json;
  };
  const pick = (b: Record<string, unknown>) => [b.Decision, b.SmtpReply, b.RefusedRecipient, b.Restricted, b.TenantRestricted, b.RestrictedBy];

  const first = await check({ Sender: 'a@contoso.test', Recipients: ['x1@example.com', 'x2@example.com'] });
  assert.deepEqual(pick(first), ['Accept', null, null, false, false, null], 'at the limit, not over it');
  const contosoId = (first.Sender as { TenantId: string }).TenantId;
  assert.notEqual(contosoId, 'default');

  // The third external recipient passes the tenant's limit: refused as the tenant's, the tenant restricted now.
  const over = await check({ Sender: 'b@contoso.test', Recipients: ['in@contoso.test', 'x3@example.com'] });
  assert.deepEqual(over, {
    Decision: 'Reject',
    SmtpReply: TERRL,
    Counted: false,
    RefusedRecipient: 'x3@example.com',
    Sender: { EntityType: 'Mailbox', Identity: 'b@contoso.test', TenantId: contosoId },
    Policy: 'Default',
    Restricted: false,
    RestrictionExpires: null,
    TenantRestricted: true,
    RestrictedBy: { EntityType: 'Tenant', Identity: contosoId, TenantId: contosoId },
    Counts: { ExternalLastHour: 0, InternalLastHour: 0, Last24Hours: 0, MessagesLastMinute: 0 },
    Limits: { ExternalPerHour: 500, InternalPerHour: 1000, PerDay: 1000, Action: 'BlockUserForToday' },
  });
  // Once restricted, the same answer from the cache, and the same reply line from the policy server.
  assert.deepEqual(pick(await check({ Sender: 'a@contoso.test', Recipients: ['x4@example.com'] })), [
    'Reject',
    TERRL,
    'x4@example.com',
    false,
    true,
    { EntityType: 'Tenant', Identity: contosoId, TenantId: contosoId },
  ]);
  assert.deepEqual(await sendMessage(c, { login: 'a@contoso.test', to: ['x5@example.com'] }), { rcpt: [`action=${TERRL}`], end: 'not-sent' });
  // Internal mail flows, still telling the caller its tenant is restricted.
  assert.deepEqual(pick(await check({ Sender: 'a@contoso.test', Recipients: ['in@contoso.test'] })), ['Accept', null, null, false, true, null]);
  // A sender of another tenant is not touched.
  assert.deepEqual(pick(await check({ Sender: 'pf@outgate.test', Recipients: ['y@example.com'] })), ['Accept', null, null, false, false, null]);

  // The sender's own restriction is named as the sender's.
  await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', '-Identity', 'Default', '-RecipientLimitInternalPerHour', '1', '--tenant', 'Contoso'));
  const own = await check({ Sender: 'a@contoso.test', Recipients: ['in2@contoso.test'] });
  assert.deepEqual(pick(own), [
    'Reject',
    '550 5.1.8 Access denied, bad outbound sender',
    'in2@contoso.test',
    true,
    true,
    { EntityType: 'Mailbox', Identity: 'a@contoso.test', TenantId: contosoId },
  ]);
});
