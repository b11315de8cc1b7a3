// The admin API over a real listening server: API keys, the whole role matrix on every route, tenant
// isolation, the unblock flow, and hostile input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ROLES, type Role } from '../src/app/roles.js';
import {
  AlertDetailSchema,
  AlertListSchema,
  AlertPolicyListSchema,
  AlertPolicyOneSchema,
  AuditConfigSchema,
  AuditIntegritySchema,
  AuditRecordSchema,
  SenderActivityDetailSchema,
  SendingActivityListSchema,
  WhatIfSchema,
  RestrictedEntityDetailsSchema,
  RestrictedEntityListSchema,
  RestrictedEntitySchema,
  AcceptedDomainSchema,
  AdminAccountSchema,
  ApiKeySchema,
  CheckAnswerSchema,
  NewApiKeySchema,
  InboundConnectorSchema,
  OutboundPolicySchema,
  OutboundRuleSchema,
  RecipientPermissionSchema,
  TenantSchema,
} from '../src/shared/api-schemas.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { getAlertPolicies } from '../src/app/alert-policies.js';
import { listAlerts } from '../src/app/alerts.js';
import { listRestrictedEntities } from '../src/app/restricted-entities.js';
import { getSenderActivity, getSendingActivity } from '../src/app/sending-activity.js';
import type { AdminContext } from '../src/app/directory-change.js';
import { policyWhatIf } from '../src/app/what-if.js';
import { loadConfig } from '../src/config/load.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';

describe('admin API', { timeout: 120_000 }, () => {
  let s: TestServer;
  const keys = new Map<string, string>();
  let contosoKey = '';

  const call = async (method: string, path: string, key: string | undefined, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  };

  before(async () => {
    s = await startTestServer();
    for (const role of ROLES) {
      const name = role.toLowerCase().replaceAll(' ', '-');
      assert.equal((await s.cli('New-AdminAccount', name, '-Role', role)).code, 0);
      const key = JSON.parse((await ok(s.cli('New-ApiKey', name, '-Name', 'tests', '--format', 'json'))).stdout) as { Secret: string };
      keys.set(role, key.Secret);
    }
    assert.equal((await s.cli('New-Tenant', 'Contoso')).code, 0);
    assert.equal((await s.cli('New-AdminAccount', 'contoso-admin', '-Role', 'Security Administrator', '--tenant', 'Contoso')).code, 0);
    contosoKey = (JSON.parse((await ok(s.cli('New-ApiKey', 'contoso-admin', '--format', 'json'))).stdout) as { Secret: string }).Secret;
    await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
    const c = await PolicyClient.open(s.policyPort);
    for (const to of ['a@example.com', 'b@example.com']) await sendMessage(c, { login: 'victim@outgate.test', to: [to] });
    c.close();
  });
  after(() => s?.stop());

  it('refuses callers without a valid key with 401 and the same error shape', async () => {
    assert.deepEqual(await call('GET', '/api/v1/restricted-entities', undefined), {
      status: 401,
      body: { statusCode: 401, code: 'OG_ERR_UNAUTHENTICATED', message: 'Sign in, or send an API key: Authorization: Bearer og_….' },
    });
    assert.equal((await call('GET', '/api/v1/restricted-entities', 'og_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')).status, 401);
    const temp = JSON.parse((await ok(s.cli('New-ApiKey', 'security-reader', '--format', 'json'))).stdout) as { Id: string; Secret: string };
    assert.equal((await call('GET', '/api/v1/restricted-entities', temp.Secret)).status, 200);
    assert.equal((await s.cli('Remove-ApiKey', temp.Id)).code, 0);
    assert.equal((await call('GET', '/api/v1/restricted-entities', temp.Secret)).status, 401, 'revoked');
    assert.equal((await call('GET', '/api/v1/health', undefined)).status, 200, 'health needs no key');
  });

  it('walks every role against every route: the allowed status or 403, never 500', async () => {
    const routes: Array<{ method: string; path: string; body?: unknown; needs: 'read' | 'change' | 'administer' | 'check' }> = [
      { method: 'GET', path: '/api/v1/restricted-entities', needs: 'read' },
      { method: 'GET', path: '/api/v1/restricted-entities/Mailbox/victim@outgate.test', needs: 'read' },
      { method: 'POST', path: '/api/v1/restricted-entities/Mailbox/nobody@outgate.test/unblock', body: {}, needs: 'change' },
      { method: 'GET', path: '/api/v1/outbound-policies', needs: 'read' },
      { method: 'GET', path: '/api/v1/outbound-policies/Default', needs: 'read' },
      { method: 'PATCH', path: '/api/v1/outbound-policies/Default', body: { RecipientLimitPerDay: 1000 }, needs: 'change' },
      { method: 'GET', path: '/api/v1/audit?limit=5', needs: 'read' },
      { method: 'GET', path: '/api/v1/audit/integrity', needs: 'read' },
      { method: 'GET', path: '/api/v1/audit/settings', needs: 'read' },
      { method: 'PUT', path: '/api/v1/audit/settings', body: { UnifiedAuditLogIngestionEnabled: true }, needs: 'administer' },
      { method: 'GET', path: '/api/v1/accounts', needs: 'read' },
      { method: 'PATCH', path: '/api/v1/accounts/global-reader', body: { DisplayName: 'GR' }, needs: 'administer' },
      { method: 'POST', path: '/api/v1/tenants', body: { Name: 'T' }, needs: 'administer' },
      { method: 'GET', path: '/api/v1/accepted-domains', needs: 'read' },
      { method: 'DELETE', path: '/api/v1/accepted-domains/nothing.example', needs: 'change' },
      { method: 'GET', path: '/api/v1/inbound-connectors', needs: 'read' },
      { method: 'PATCH', path: '/api/v1/inbound-connectors/none', body: { Comment: 'x' }, needs: 'change' },
      { method: 'GET', path: '/api/v1/outbound-rules', needs: 'read' },
      { method: 'POST', path: '/api/v1/outbound-rules', body: { Name: 'r', HostedOutboundSpamFilterPolicy: 'none', From: ['a@b.example'] }, needs: 'change' },
      { method: 'GET', path: '/api/v1/sending-activity', needs: 'read' },
      { method: 'GET', path: '/api/v1/sending-activity/Mailbox/victim@outgate.test', needs: 'read' },
      { method: 'POST', path: '/api/v1/outbound-policies/what-if', body: { Policy: 'Default', Settings: { RecipientLimitPerDay: 5 } }, needs: 'read' },
      { method: 'POST', path: '/api/v1/check', body: { Sender: 'matrix@outgate.test', Recipients: ['a@example.com'] }, needs: 'check' },
      { method: 'GET', path: '/api/v1/alert-policies', needs: 'read' },
      { method: 'GET', path: '/api/v1/alert-policies/UserRestricted', needs: 'read' },
      { method: 'PATCH', path: '/api/v1/alert-policies/UserRestricted', body: { NotificationEnabled: true }, needs: 'change' },
      { method: 'POST', path: '/api/v1/alert-policies', body: { Name: 'Matrix', Event: 'SuspiciousSending', Severity: 'Low' }, needs: 'change' },
      { method: 'DELETE', path: '/api/v1/alert-policies/none', needs: 'change' },
      { method: 'GET', path: '/api/v1/alerts?status=New&severity=High&entityType=Mailbox&search=victim&page=1&pageSize=10', needs: 'read' },
      { method: 'GET', path: '/api/v1/alerts/00000000-0000-0000-0000-000000000000', needs: 'read' },
      { method: 'PATCH', path: '/api/v1/alerts/00000000-0000-0000-0000-000000000000', body: { Status: 'Resolved' }, needs: 'change' },
      { method: 'GET', path: '/api/v1/alert-webhooks', needs: 'read' },
      { method: 'POST', path: '/api/v1/alert-webhooks', body: { Name: 'matrix', Url: 'https://siem.example/hook' }, needs: 'change' },
      { method: 'DELETE', path: '/api/v1/alert-webhooks/none', needs: 'change' },
    ];
    const allowedFor: Record<Role, string[]> = {
      'Global Administrator': ['read', 'change', 'administer', 'check'],
      'Organization Management': ['read', 'change', 'check'],
      'Security Administrator': ['read', 'change', 'check'],
      'Global Reader': ['read'],
      'Security Reader': ['read'],
      'View-Only Organization Management': ['read'],
      'Sending Application': ['check'],
    };
    let tenantNo = 0;
    for (const role of ROLES) {
      for (const r of routes) {
        const body = r.path === '/api/v1/tenants' ? { Name: `T${tenantNo++}` } : r.body;
        const res = await call(r.method, r.path, keys.get(role), body);
        const allowed = allowedFor[role].includes(r.needs);
        assert.ok(res.status < 500, `${role} ${r.method} ${r.path}: ${res.status}`);
        if (allowed) assert.ok(res.status !== 403 && res.status !== 401, `${role} ${r.method} ${r.path} should be allowed: ${JSON.stringify(res.body)}`);
        else assert.deepEqual([res.status, res.body.code], [403, 'OG_ERR_FORBIDDEN'], `${role} ${r.method} ${r.path}`);
      }
    }
  });

  it("keeps a tenant's admin inside its tenant: other tenants are 404, not 403", async () => {
    assert.equal((await call('GET', '/api/v1/outbound-policies', contosoKey)).status, 200);
    for (const path of [
      '/api/v1/outbound-policies?tenant=Default',
      '/api/v1/outbound-policies?tenant=default',
      '/api/v1/restricted-entities/Mailbox/victim@outgate.test',
      '/api/v1/accepted-domains?tenant=Default',
      '/api/v1/outbound-rules?tenant=Default',
      '/api/v1/inbound-connectors?tenant=default',
      '/api/v1/sending-activity/Mailbox/victim@outgate.test',
      '/api/v1/sending-activity?tenant=Default',
    ]) {
      const res = await call('GET', path, contosoKey);
      assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual((await call('GET', '/api/v1/restricted-entities', contosoKey)).body, { total: 0, items: [] });
    assert.equal((await call('GET', '/api/v1/sending-activity', contosoKey)).body.Total, 0, "the default tenant's senders are not listed");
    assert.deepEqual((await call('GET', '/api/v1/tenants', contosoKey)).body.map((t: { Name: string }) => t.Name), ['Contoso']);
  });

  it("keeps alerts, alert policies and webhooks inside their tenant", async () => {
    await s.alerts.runOnce();
    const ga = keys.get('Global Administrator');
    const all = await call('GET', '/api/v1/alerts', ga);
    const victim = all.body.items.find((a: { Entity: string }) => a.Entity === 'victim@outgate.test');
    assert.ok(victim, JSON.stringify(all.body));
    assert.equal(victim.PolicyName, 'User restricted from sending email');
    for (const [method, path, body] of [
      ['GET', `/api/v1/alerts/${victim.Identity}`],
      ['PATCH', `/api/v1/alerts/${victim.Identity}`, { Status: 'InProgress' }],
      ['GET', '/api/v1/alerts?tenant=Default'],
      ['GET', '/api/v1/alert-policies?tenant=Default'],
      ['PATCH', '/api/v1/alert-policies/UserRestricted?tenant=Default', { Disabled: true }],
      ['GET', '/api/v1/alert-webhooks?tenant=Default'],
      ['DELETE', '/api/v1/alert-webhooks/matrix?tenant=Default'],
    ] as Array<[string, string, unknown?]>) {
      const res = await call(method, path, contosoKey, body);
      assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual((await call('GET', '/api/v1/alerts', contosoKey)).body, { auditEnabled: true, total: 0, items: [] });
    assert.deepEqual((await call('GET', '/api/v1/alert-webhooks', contosoKey)).body, []);
    const own = (await call('GET', '/api/v1/alert-policies', contosoKey)).body;
    assert.deepEqual(own.items.map((p: { Name: string }) => p.Name), [
      'User restricted from sending email',
      'Email sending limit exceeded',
      'Suspicious email sending patterns detected',
      'Suspicious connector activity',
      'Tenant restricted from sending email',
      'Suspicious tenant sending patterns observed',
      'Suspicious email forwarding activity',
    ]);
    assert.ok(own.items.every((p: { TenantId: string; NotifyUser: string[] }) => p.TenantId !== 'default' && p.NotifyUser[0] === 'TenantAdmins'));
    assert.equal((await call('GET', `/api/v1/alerts/${victim.Identity}`, ga)).body.Status, 'New', 'unchanged by the other tenant');
  });

  it('lets only the notification settings of a built-in alert policy change, with a stable error code', async () => {
    const admin = keys.get('Security Administrator');
    const locked = await call('PATCH', '/api/v1/alert-policies/UserRestricted', admin, { Severity: 'Low' });
    assert.deepEqual([locked.status, locked.body.code], [409, 'OG_ERR_ALERT_POLICY_BUILT_IN']);
    const gone = await call('DELETE', `/api/v1/alert-policies/${encodeURIComponent('User restricted from sending email')}`, admin);
    assert.deepEqual([gone.status, gone.body.code], [409, 'OG_ERR_ALERT_POLICY_BUILT_IN']);
    const badLimit = await call('PATCH', '/api/v1/alert-policies/UserRestricted', admin, { DailyNotificationLimit: 7 });
    assert.deepEqual([badLimit.status, badLimit.body.code], [400, 'OG_ERR_INVALID_ARGUMENT']);
    const ok = await call('PATCH', '/api/v1/alert-policies/UserRestricted', admin, { DailyNotificationLimit: 25, NotifyUser: ['TenantAdmins', 'SOC@Example.com'], Disabled: false });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual([ok.body.DailyNotificationLimit, ok.body.NotifyUser, ok.body.Severity, ok.body.IsSystemRule, ok.body.auditEnabled], [25, ['TenantAdmins', 'soc@example.com'], 'High', true, true]);
    const custom = await call('POST', '/api/v1/alert-policies', admin, { Name: 'Connector watch', Event: 'ConnectorRestricted', Severity: 'Medium', AggregationMinutes: 60 });
    assert.equal(custom.status, 201, JSON.stringify(custom.body));
    assert.deepEqual([custom.body.IsSystemRule, custom.body.AggregationMinutes, custom.body.NotifyUser], [false, 60, ['TenantAdmins']]);
    const changed = await call('PATCH', `/api/v1/alert-policies/${custom.body.Identity}`, admin, { Severity: 'Low', Description: 'ours' });
    assert.deepEqual([changed.status, changed.body.Severity], [200, 'Low']);
    assert.equal((await call('DELETE', '/api/v1/alert-policies/Connector%20watch', admin)).status, 200);
    const audit = await call('GET', '/api/v1/audit?operations=Set-ProtectionAlert,New-ProtectionAlert,Remove-ProtectionAlert', admin);
    assert.deepEqual(audit.body.slice(0, 3).map((e: { Operation: string }) => e.Operation), ['Remove-ProtectionAlert', 'Set-ProtectionAlert', 'New-ProtectionAlert']);
  });

  it('lists, opens and unblocks a restricted user; the audit log records the API caller', async () => {
    const admin = keys.get('Security Administrator');
    const list = await call('GET', '/api/v1/restricted-entities?status=Restricted&entityType=Mailbox&search=VICTIM&sort=Entity', admin);
    assert.equal(list.body.total, 1);
    assert.equal(list.body.items[0].SenderAddress, 'victim@outgate.test');
    const one = await call('GET', '/api/v1/restricted-entities/Mailbox/Victim@Outgate.test', admin);
    assert.deepEqual(one.body.History.map((h: { Event: string }) => h.Event), ['Restricted']);
    assert.equal(one.body.SendingByHour.reduce((n: number, h: { External: number }) => n + h.External, 0) >= 1, true, JSON.stringify(one.body.SendingByHour));
    const un = await call('POST', '/api/v1/restricted-entities/Mailbox/victim@outgate.test/unblock', admin, { reason: 'MFA enabled, password reset' });
    assert.equal(un.status, 200, JSON.stringify(un.body));
    assert.equal(un.body.Status, 'Released');
    const again = await call('POST', '/api/v1/restricted-entities/Mailbox/victim@outgate.test/unblock', admin, {});
    assert.deepEqual([again.status, again.body.code], [404, 'OG_ERR_SENDER_NOT_BLOCKED']);
    const audit = await call('GET', '/api/v1/audit?operations=Remove-BlockedSenderAddress', admin);
    assert.deepEqual(
      [audit.body[0].UserId, audit.body[0].Role, audit.body[0].Source, audit.body[0].ClientIP, audit.body[0].ObjectId],
      ['security-administrator', 'Security Administrator', 'api', '127.0.0.1', 'Mailbox:victim@outgate.test'],
    );
    const csv = await call('GET', '/api/v1/audit/export?format=csv&operations=Remove-BlockedSenderAddress', admin);
    assert.match(csv.body, /^Sequence,CreationDate,/);
  });

  it('refuses or returns hostile input verbatim, never executes it', async () => {
    const gr = keys.get('Global Reader');
    const script = await call('GET', `/api/v1/restricted-entities?search=${encodeURIComponent("<script>alert(1)</script>' OR 1=1 --")}`, gr);
    assert.deepEqual([script.status, script.body.total], [200, 0]);
    const long = await call('GET', `/api/v1/restricted-entities?search=${'x'.repeat(400)}`, gr);
    assert.deepEqual([long.status, long.body.code], [400, 'OG_ERR_INVALID_ARGUMENT']);
    const sql = await call('GET', `/api/v1/restricted-entities/Mailbox/${encodeURIComponent("x'; DROP TABLE restrictions; --@a.example")}`, gr);
    assert.deepEqual([sql.status, sql.body.code], [400, 'OG_ERR_INVALID_ADDRESS']);
    const ga = keys.get('Global Administrator');
    const made = await call('POST', '/api/v1/outbound-policies', ga, { Name: '<img src=x onerror=alert(1)>' });
    assert.equal(made.status, 201);
    assert.equal((await call('GET', `/api/v1/outbound-policies/${encodeURIComponent('<img src=x onerror=alert(1)>')}`, ga)).body.Name, '<img src=x onerror=alert(1)>');
    const bad = await call('PATCH', '/api/v1/outbound-policies/Default', ga, { RecipientLimitPerDay: 10001 });
    assert.deepEqual([bad.status, bad.body.code], [400, 'OG_ERR_INVALID_ARGUMENT']);
    assert.match(bad.body.message, /RecipientLimitPerDay/);
    const extra = await call('PATCH', '/api/v1/outbound-policies/Default', ga, { Bogus: 1 });
    assert.equal(extra.status, 400);
  });

  // Alert webhooks are covered in the portal test: this server allows no webhook target (alerts.webhookAllow).
  it('answers with exactly the fields of the shared strict schemas, the same the cmdlets show', async () => {
    await ok(s.cli('New-AcceptedDomain', '-Name', 'Schema', '-DomainName', 'schema.example'));
    await ok(s.cli('New-InboundConnector', '-Name', 'Schema relay', '-SenderIPAddresses', '198.51.100.0/24'));
    await ok(s.cli('Add-RecipientPermission', '-Identity', 'sales@schema.example', '-Trustee', 'megan@schema.example', '-AccessRights', 'SendAs'));
    await ok(s.cli('New-HostedOutboundSpamFilterPolicy', '-Name', 'Schema policy', '-NotifyOutboundSpamRecipients', 'soc@schema.example'));
    await ok(s.cli('New-HostedOutboundSpamFilterRule', '-Name', 'Schema rule', '-HostedOutboundSpamFilterPolicy', 'Schema policy', '-From', 'x@schema.example', '-ExceptIfSenderDomainIs', 'y.example'));
    const ga = keys.get('Global Administrator');
    const cases: Array<[string, string, TSchema, string]> = [
      ['/api/v1/tenants', 'Get-Tenant', TenantSchema, 'Id'],
      ['/api/v1/accounts', 'Get-AdminAccount', AdminAccountSchema, 'Id'],
      ['/api/v1/accepted-domains', 'Get-AcceptedDomain', AcceptedDomainSchema, 'Id'],
      ['/api/v1/inbound-connectors', 'Get-InboundConnector', InboundConnectorSchema, 'Id'],
      ['/api/v1/recipient-permissions', 'Get-RecipientPermission', RecipientPermissionSchema, 'Id'],
      ['/api/v1/outbound-policies', 'Get-HostedOutboundSpamFilterPolicy', OutboundPolicySchema, 'Id'],
      ['/api/v1/outbound-rules', 'Get-HostedOutboundSpamFilterRule', OutboundRuleSchema, 'Id'],
    ];
    for (const [path, cmdlet, schema, id] of cases) {
      const answer = (await call('GET', path, ga)).body as Array<Record<string, unknown>>;
      const shown = ([] as Array<Record<string, unknown>>).concat(JSON.parse((await ok(s.cli(cmdlet, '--format', 'json'))).stdout));
      assert.ok(answer.length > 0, `${path} lists something`);
      for (const item of answer) {
        assert.ok(Value.Check(schema, item), `${path}: ${JSON.stringify(item)} fits its schema`);
        const same = shown.find((x) => x[id] === item[id]);
        assert.ok(same, `${cmdlet} shows ${String(item[id])}`);
        // A field the use case returns but the schema lacks would be dropped from the answer: none may be.
        assert.deepEqual(Object.keys(item).sort(), Object.keys(same).sort(), `${path} answers every field ${cmdlet} shows`);
      }
    }
    // A user restricted now: in the page, alone, with its sending by hour, and as Get-BlockedSenderAddress shows it.
    const c = await PolicyClient.open(s.policyPort);
    for (const to of ['a@example.com', 'b@example.com']) await sendMessage(c, { login: 'schema@outgate.test', to: [to] });
    c.close();
    const page = (await call('GET', '/api/v1/restricted-entities?search=schema%40outgate.test', ga)).body as { total: number; items: Array<Record<string, unknown>> };
    const row = page.items.find((e) => e.SenderAddress === 'schema@outgate.test');
    assert.ok(row && Value.Check(RestrictedEntitySchema, row), `${JSON.stringify(row)} fits its schema`);
    const [blocked] = JSON.parse((await ok(s.cli('Get-BlockedSenderAddress', '-SenderAddress', 'schema@outgate.test', '--format', 'json'))).stdout) as Array<Record<string, unknown>>;
    assert.ok(blocked, 'Get-BlockedSenderAddress lists it');
    assert.deepEqual(Object.keys(row).sort(), Object.keys(blocked).sort(), 'the page answers every field Get-BlockedSenderAddress shows');
    const one = (await call('GET', '/api/v1/restricted-entities/Mailbox/schema@outgate.test', ga)).body as Record<string, unknown>;
    assert.ok(Value.Check(RestrictedEntityDetailsSchema, one), `${JSON.stringify(one).slice(0, 300)} fits its schema`);
    assert.deepEqual(Object.keys(one).sort(), [...Object.keys(blocked), 'SendingByHour'].sort());
  });

  // The wrappers (auditEnabled, total, …) and the what-if have no cmdlet showing them whole: their fields are
  // compared with what the use case returns, read by a provider-level Global Administrator as the API key is.
  it('answers alerts, alert policies, the audit log, the what-if and sending activity with every field the cmdlets and use cases give', async () => {
    const ga = keys.get('Global Administrator');
    const ctx: AdminContext = {
      store: s.store,
      clock: s.clock,
      actor: { name: 'schema-test', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null },
    };
    const keysOf = (o: object): string[] => Object.keys(o).sort();
    const cmdlet = async (...args: string[]): Promise<unknown> => JSON.parse((await ok(s.cli(...args, '--format', 'json'))).stdout);
    const fits = (schema: TSchema, value: unknown, what: string): void => assert.ok(Value.Check(schema, value), `${what}: ${JSON.stringify(value).slice(0, 400)} fits its schema`);

    // Alert policies: the list (its items as Get-ProtectionAlert shows them) and one policy.
    const policies = (await call('GET', '/api/v1/alert-policies', ga)).body as { items: Array<Record<string, unknown>> };
    fits(AlertPolicyListSchema, policies, 'alert policies');
    assert.deepEqual(keysOf(policies), [...Object.keys(await getAlertPolicies(ctx)), 'smtpConfigured'].sort());
    const shownPolicies = (await cmdlet('Get-ProtectionAlert')) as Array<Record<string, unknown>>;
    for (const p of policies.items) assert.deepEqual(keysOf(p), keysOf(shownPolicies.find((x) => x.Identity === p.Identity)!), `${String(p.Name)}: every field`);
    const policy = (await call('GET', '/api/v1/alert-policies/UserRestricted', ga)).body as Record<string, unknown>;
    fits(AlertPolicyOneSchema, policy, 'one alert policy');
    assert.deepEqual(keysOf(policy), [...Object.keys((await cmdlet('Get-ProtectionAlert', 'UserRestricted')) as object), 'smtpConfigured'].sort());

    // Alerts: schema@ was restricted by the test before, so the worker raises an alert for it.
    await s.alerts.runOnce();
    const alerts = (await call('GET', '/api/v1/alerts', ga)).body as { items: Array<Record<string, unknown>> };
    fits(AlertListSchema, alerts, 'alerts');
    assert.deepEqual(keysOf(alerts), keysOf(await listAlerts(ctx)));
    const shownAlerts = (await cmdlet('Get-Alert')) as Array<Record<string, unknown>>;
    assert.ok(alerts.items.length > 0, 'an alert is listed');
    for (const a of alerts.items) assert.deepEqual(keysOf(a), keysOf(shownAlerts.find((x) => x.Identity === a.Identity)!), `alert ${String(a.Entity)}: every field`);
    const first = alerts.items[0]!;
    const alert = (await call('GET', `/api/v1/alerts/${String(first.Identity)}`, ga)).body as { Events: object[]; Notifications: object[] };
    fits(AlertDetailSchema, alert, 'one alert');
    const shownAlert = (await cmdlet('Get-Alert', String(first.Identity))) as { Events: object[]; Notifications: object[] };
    assert.deepEqual(keysOf(alert), keysOf(shownAlert));
    assert.ok(alert.Events.length > 0 && alert.Events.length === shownAlert.Events.length);
    alert.Events.forEach((e, i) => assert.deepEqual(keysOf(e), keysOf(shownAlert.Events[i]!)));
    assert.equal(alert.Notifications.length, shownAlert.Notifications.length);
    alert.Notifications.forEach((n, i) => assert.deepEqual(keysOf(n), keysOf(shownAlert.Notifications[i]!)));

    // The audit log: records, the setting and the integrity check (the head as anchor for a provider-level admin).
    const records = (await call('GET', '/api/v1/audit?limit=20', ga)).body as Array<Record<string, unknown>>;
    const shownRecords = (await cmdlet('Search-AdminAuditLog', '-ResultSize', '50')) as Array<Record<string, unknown>>;
    assert.ok(records.length > 0);
    for (const r of records) {
      fits(AuditRecordSchema, r, `audit record ${String(r.Sequence)}`);
      // Whole records: Before and After are free-form, so their content is compared too.
      assert.deepEqual(r, shownRecords.find((x) => x.Sequence === r.Sequence), `audit record ${String(r.Sequence)}: as Search-AdminAuditLog shows it`);
    }
    const config = (await call('GET', '/api/v1/audit/settings', ga)).body as object;
    fits(AuditConfigSchema, config, 'audit settings');
    assert.deepEqual(keysOf(config), keysOf((await cmdlet('Get-AdminAuditLogConfig')) as object));
    const integrity = (await call('GET', '/api/v1/audit/integrity', ga)).body as object;
    fits(AuditIntegritySchema, integrity, 'audit integrity');
    assert.deepEqual(keysOf(integrity), keysOf((await cmdlet('Test-AuditLogIntegrity')) as object));
    assert.deepEqual(keysOf(integrity), ['anchor', 'anchorsChecked', 'head', 'ok', 'records']);
    const own = (await call('GET', '/api/v1/audit/integrity', contosoKey)).body as object;
    fits(AuditIntegritySchema, own, "a tenant's integrity");
    assert.deepEqual(keysOf(own), ['ok', 'records'], 'a tenant learns only its own count');

    // The what-if, with a sender it would restrict (3 recipients in an hour, under a limit of 1), against the
    // use case's own answer. Default's limit of 1 is raised while whatif@ sends, so all 3 are counted.
    await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '100'));
    const c = await PolicyClient.open(s.policyPort);
    await sendMessage(c, { login: 'whatif@outgate.test', to: ['a@example.com', 'b@example.com', 'c@example.com'] });
    c.close();
    await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
    await s.flushSends();
    const proposal = { Name: 'Schema what-if', Settings: { RecipientLimitExternalPerHour: 1 }, Rule: { SenderDomainIs: ['outgate.test'] } };
    const whatIf = (await call('POST', '/api/v1/outbound-policies/what-if', ga, proposal)).body as { Restricted: object[] };
    fits(WhatIfSchema, whatIf, 'what-if');
    const expected = await policyWhatIf(ctx, loadConfig({ env: {}, overrides: { dataDir: s.dataDir } }).serviceLimits, proposal);
    assert.deepEqual(keysOf(whatIf), keysOf(expected));
    assert.ok(whatIf.Restricted.length > 0 && whatIf.Restricted.length === expected.Restricted.length, JSON.stringify(whatIf));
    whatIf.Restricted.forEach((r, i) => assert.deepEqual(keysOf(r), keysOf(expected.Restricted[i]!)));

    // The restricted entities page: its wrapper as the use case builds it (the rows are compared above).
    const entities = (await call('GET', '/api/v1/restricted-entities', ga)).body as object;
    fits(RestrictedEntityListSchema, entities, 'restricted entities');
    assert.deepEqual(keysOf(entities), keysOf(await listRestrictedEntities(ctx, {})));

    // Sending activity: the list and one sender with its hours, against the use case's own answers.
    const activity = (await call('GET', '/api/v1/sending-activity', ga)).body as { Items: Array<Record<string, unknown>> };
    fits(SendingActivityListSchema, activity, 'sending activity');
    const live = await getSendingActivity(ctx, s.checkSend);
    assert.deepEqual(keysOf(activity), keysOf(live));
    assert.ok(activity.Items.length > 0);
    for (const a of activity.Items) {
      const same = live.Items.find((x) => x.EntityType === a.EntityType && x.Entity === a.Entity);
      assert.ok(same, `the use case lists ${String(a.Entity)}`);
      assert.deepEqual(keysOf(a), keysOf(same), `${String(a.Entity)}: every field`);
    }
    const sender = (await call('GET', '/api/v1/sending-activity/Mailbox/whatif@outgate.test', ga)).body as { ByHour: object[] };
    fits(SenderActivityDetailSchema, sender, 'one sender');
    const days = await getSenderActivity(ctx, s.checkSend, 'Mailbox', 'whatif@outgate.test');
    assert.deepEqual(keysOf(sender), keysOf(days));
    assert.equal(sender.ByHour.length, days.ByHour.length);
    assert.deepEqual(keysOf(sender.ByHour[0]!), keysOf(days.ByHour[0]!));
  });
  it('answers the send check and API keys by their strict schemas, with every field', async () => {
    const ga = keys.get('Global Administrator');
    const app = keys.get('Sending Application');
    const keysOf = (o: object): string[] => Object.keys(o).sort();
    // The check answer is the use case's own type (src/app/check-message.ts), so the use case cannot add a
    // field the schema lacks; every field must arrive, nulls included, accepted or refused.
    const all = keysOf(CheckAnswerSchema.properties);
    await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
    const accepted = await call('POST', '/api/v1/check', app, { Sender: 'checker@outgate.test', Recipients: ['a@example.com'] });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.ok(Value.Check(CheckAnswerSchema, accepted.body), JSON.stringify(accepted.body));
    assert.deepEqual(keysOf(accepted.body as object), all);
    assert.equal((accepted.body as { Decision: string }).Decision, 'Accept');
    const over = await call('POST', '/api/v1/check', app, { Sender: 'checker@outgate.test', Recipients: ['b@example.com'] });
    const refused = await call('POST', '/api/v1/check', app, { Sender: 'checker@outgate.test', Recipients: ['c@example.com'] });
    for (const r of [over, refused]) {
      assert.ok(Value.Check(CheckAnswerSchema, r.body), JSON.stringify(r.body));
      assert.deepEqual(keysOf(r.body as object), all);
    }
    assert.deepEqual((refused.body as { RestrictedBy: unknown }).RestrictedBy, { EntityType: 'Mailbox', Identity: 'checker@outgate.test', TenantId: (refused.body as { Sender: { TenantId: string } }).Sender.TenantId });

    // API keys: created (with its secret, once), listed and revoked as Get-ApiKey shows them.
    const made = (await call('POST', '/api/v1/accounts/global-administrator/api-keys', ga, { Name: 'schema' })).body as Record<string, unknown>;
    assert.ok(Value.Check(NewApiKeySchema, made), JSON.stringify(made));
    assert.match(String(made.Secret), /^og_[0-9a-f]{12}_/);
    const listed = (await call('GET', '/api/v1/accounts/global-administrator/api-keys', ga)).body as Array<Record<string, unknown>>;
    const shown = JSON.parse((await ok(s.cli('Get-ApiKey', 'global-administrator', '--format', 'json'))).stdout) as Array<Record<string, unknown>>;
    assert.ok(listed.length >= 2);
    for (const k of listed) {
      assert.ok(Value.Check(ApiKeySchema, k), JSON.stringify(k));
      assert.deepEqual(k, shown.find((x) => x.Id === k.Id), 'as Get-ApiKey shows it');
    }
    assert.deepEqual(keysOf(made), [...keysOf(listed[0]!), 'Secret'].sort());
    const revoked = (await call('DELETE', `/api/v1/api-keys/${String(made.Id)}`, ga)).body as Record<string, unknown>;
    assert.ok(Value.Check(ApiKeySchema, revoked) && revoked.RevokedUTC !== null, JSON.stringify(revoked));
  });
});
