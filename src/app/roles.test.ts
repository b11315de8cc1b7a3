// The role matrix and tenant isolation, through the use cases on a real store.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../adapters/store/open-store.js';
import { loadConfig } from '../config/load.js';
import { restrict } from '../domain/restriction.js';
import type { Actor } from '../domain/events.js';
import { isOutgateError } from '../errors.js';
import { getAcceptedDomains, newAcceptedDomain } from './accepted-domains.js';
import { newAccount } from './accounts.js';
import { getGroups, newGroup } from './groups.js';
import { searchAuditLog, setAuditConfig, testAuditLogIntegrity } from './audit-log.js';
import type { AdminContext } from './directory-change.js';
import { getPolicies, setPolicy } from './policies.js';
import type { Clock, Store } from './ports.js';

/** A fixed instant: no test depends on today's date. */
const clock: Clock = { now: () => Date.UTC(2026, 10, 28, 9, 0, 0) };
import { getBlockedSenders, unblockSender } from './restricted-entities.js';
import { ROLES, type Role } from './roles.js';
import { bootstrap, getTenants, newTenant } from './tenants.js';

const actor = (role: Role, tenantId: string | null = null): Actor => ({
  name: `${role}@test`,
  role,
  source: 'api',
  ip: '127.0.0.1',
  tenantId,
});

/** A fresh embedded store through the factory, removed after the test. */
async function storeFor(t: TestContext, tag: string): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), `${tag}-`));
  const backend = await openStore(loadConfig({ env: {}, overrides: { dataDir: dir } }), 'cli');
  t.after(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return backend.store;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (isOutgateError(err)) return err.code.replace('OG_ERR_', '');
    throw err;
  }
}

test('every role against every kind of action: readers read, admins change, only Global Administrators administer', async (t) => {
  const store = await storeFor(t, 'outgate-roles-');
  await bootstrap(store, clock);
  const expected: Record<Role, string> = {
    'Global Administrator': 'read change administer',
    'Organization Management': 'read change',
    'Security Administrator': 'read change',
    'Global Reader': 'read',
    'Security Reader': 'read',
    'View-Only Organization Management': 'read',
    'Sending Application': '',
  };
  for (const role of ROLES) {
    const ctx: AdminContext = { store, clock, actor: actor(role) };
    const results = {
      read: [await outcome(getPolicies(ctx)), await outcome(getBlockedSenders(ctx)), await outcome(searchAuditLog(ctx, {}))],
      change: [
        await outcome(setPolicy(ctx, 'Default', { RecipientLimitPerDay: 900 })),
        await outcome(newAcceptedDomain(ctx, `d-${role}`, `${role.replaceAll(' ', '-').toLowerCase()}.example`)),
        // Not blocked: a role that may change hears that; one that may not is refused first.
        await outcome(unblockSender(ctx, 'nobody@example.com')),
      ],
      administer: [await outcome(newTenant(ctx, `T ${role}`)), await outcome(setAuditConfig(ctx, '$true'))],
    };
    const allowed = (Object.keys(results) as Array<keyof typeof results>).filter((k) =>
      results[k].every((r) => r === 'ok' || r === 'SENDER_NOT_BLOCKED'),
    );
    assert.equal(allowed.join(' '), expected[role], `${role}: ${JSON.stringify(results)}`);
    for (const k of Object.keys(results) as Array<keyof typeof results>) {
      if (!allowed.includes(k))
        assert.ok(
          results[k].every((r) => r === 'FORBIDDEN'),
          `${role} ${k}: ${results[k].join(',')}`,
        );
    }
  }
});

test("a tenant's admin cannot see, infer or change another tenant's objects", async (t) => {
  const store = await storeFor(t, 'outgate-tenants-');
  await bootstrap(store, clock);
  const provider: AdminContext = { store, clock, actor: actor('Global Administrator') };
  const contoso = await newTenant(provider, 'Contoso');
  const fabrikam = await newTenant(provider, 'Fabrikam');
  await newAcceptedDomain({ ...provider, tenant: 'Contoso' }, 'Contoso', 'contoso.example');
  await newAcceptedDomain({ ...provider, tenant: 'Fabrikam' }, 'Fabrikam', 'fabrikam.example');
  const victim = { tenantId: fabrikam.Id, type: 'Mailbox' as const, identity: 'eve@fabrikam.example' };
  await store.applyTransition(restrict(victim, { reason: 'r', policy: 'Default', action: 'BlockUser', now: Date.now() - 1000 }), {
    resetWindows: false,
  });

  const admin: AdminContext = { store, clock, actor: actor('Security Administrator', contoso.Id) };
  assert.deepEqual(
    (await getAcceptedDomains(admin)).map((d) => d.DomainName),
    ['contoso.example'],
    'defaults to its own tenant',
  );
  assert.deepEqual(
    (await getTenants(admin)).map((x) => x.Name),
    ['Contoso'],
  );
  assert.equal(await outcome(getAcceptedDomains({ ...admin, tenant: 'Fabrikam' })), 'NOT_FOUND');
  assert.equal(await outcome(getAcceptedDomains({ ...admin, tenant: fabrikam.Id })), 'NOT_FOUND');
  assert.deepEqual(await getBlockedSenders(admin), []);
  assert.equal(await outcome(unblockSender(admin, 'eve@fabrikam.example')), 'SENDER_NOT_BLOCKED', 'as if it did not exist');
  assert.equal(await outcome(newTenant(admin, 'Mine')), 'FORBIDDEN');
  assert.equal((await getBlockedSenders(provider)).length, 1, 'the provider-level admin sees across tenants');
});

test('a sender unblocked 3 times in 30 days can be unblocked again only by a Global Administrator', async (t) => {
  const store = await storeFor(t, 'outgate-unblock-limit-');
  await bootstrap(store, clock);
  const sender = { tenantId: 'default', type: 'Mailbox' as const, identity: 'loop@outgate.test' };
  const secAdmin: AdminContext = { store, clock, actor: actor('Security Administrator') };
  const trip = () =>
    store.applyTransition(restrict(sender, { reason: 'r', policy: 'Default', action: 'BlockUser', now: Date.now() }), {
      resetWindows: false,
    });
  for (let i = 0; i < 3; i++) {
    await trip();
    assert.equal(await outcome(unblockSender(secAdmin, 'loop@outgate.test')), 'ok');
  }
  await trip();
  await assert.rejects(
    unblockSender(secAdmin, 'loop@outgate.test'),
    /OG_ERR_UNBLOCK_LIMIT|unblocked 3 times in the last 30 days \(the limit is 3\); only a Global Administrator can unblock it again/,
  );
  assert.equal(await outcome(unblockSender({ ...secAdmin, unblockLimit: 4 }, 'loop@outgate.test')), 'ok', 'the limit is a setting');
  await trip();
  assert.equal(await outcome(unblockSender({ ...secAdmin, actor: actor('Global Administrator') }, 'loop@outgate.test')), 'ok');
});

test("a tenant's Global Administrator cannot switch auditing off; the provider's switch shows in every tenant's log", async (t) => {
  const store = await storeFor(t, 'outgate-audit-switch-');
  await bootstrap(store, clock);
  const provider: AdminContext = { store, clock, actor: actor('Global Administrator') };
  const contoso = await newTenant(provider, 'Contoso');
  const fabrikam = await newTenant(provider, 'Fabrikam');
  const tenantAdmin: AdminContext = { store, clock, actor: actor('Global Administrator', contoso.Id) };
  await assert.rejects(setAuditConfig(tenantAdmin, '$false'), /service-wide: only a provider-level Global Administrator/);
  assert.equal(await store.auditEnabled(), true, 'still on');

  await setAuditConfig(provider, '$false');
  assert.equal(await store.auditEnabled(), false);
  for (const tenant of [contoso, fabrikam]) {
    const own: AdminContext = { store, clock, actor: actor('Security Reader', tenant.Id) };
    const switches = (await searchAuditLog(own, { Operations: 'Set-AdminAuditLogConfig' })).map((e) => [e.TenantId, e.UserId, e.After]);
    assert.deepEqual(switches, [[tenant.Id, 'Global Administrator@test', { UnifiedAuditLogIngestionEnabled: false }]], tenant.Name);
  }
  assert.equal((await store.verifyAudit()).ok, true);
});

test("a tenant's admin learns nothing of other tenants from account names, group addresses, domain claims or the integrity check", async (t) => {
  const store = await storeFor(t, 'outgate-tenant-leaks-');
  await bootstrap(store, clock);
  const provider: AdminContext = { store, clock, actor: actor('Global Administrator') };
  const contoso = await newTenant(provider, 'Contoso');
  await newTenant(provider, 'Fabrikam');
  await newAcceptedDomain({ ...provider, tenant: 'Contoso' }, 'Contoso', 'contoso.example');
  await newAcceptedDomain({ ...provider, tenant: 'Fabrikam' }, 'Fabrikam', 'fabrikam.example');
  await newAccount({ ...provider, tenant: 'Fabrikam' }, 'fab-admin', { Role: 'Global Administrator' });
  const admin: AdminContext = { store, clock, actor: actor('Global Administrator', contoso.Id) };
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (err) {
      return isOutgateError(err) ? `${err.code}: ${err.message}` : String(err);
    }
  };

  const taken = await refusal(newAccount(admin, 'fab-admin', {}));
  assert.match(taken, /^OG_ERR_INVALID_ARGUMENT: .*user@domain.*contoso\.example/);
  assert.equal(await refusal(newAccount(admin, 'free-name', {})), taken, 'a name in use elsewhere and a free one answer alike');
  assert.equal(await refusal(newAccount(admin, 'admin', {})), taken);
  assert.equal(await refusal(newAccount(admin, 'bob@contoso.example', {})), 'ok');
  assert.match(
    await refusal(newAccount(admin, 'bob@contoso.example', {})),
    /^OG_ERR_ALREADY_EXISTS/,
    'a clash in its own namespace is its own business',
  );

  const claimed = await refusal(newAcceptedDomain(admin, 'Theirs', 'fabrikam.example'));
  assert.match(claimed, /^OG_ERR_FORBIDDEN: .*provider/);
  assert.equal(
    await refusal(newAcceptedDomain(admin, 'Free', 'unclaimed.example')),
    claimed,
    "another tenant's domain and a free one answer alike",
  );

  // Group names are per tenant; group addresses are service-wide, so a tenant's own domains only.
  await newGroup({ ...provider, tenant: 'Fabrikam' }, 'Sales', 'sales@fabrikam.example', []);
  assert.equal(await refusal(newGroup(admin, 'Sales', 'sales@contoso.example', [])), 'ok', "another tenant's group name is free here");
  const foreign = await refusal(newGroup(admin, 'Fab sales', 'sales@fabrikam.example', []));
  assert.match(foreign, /^OG_ERR_INVALID_ARGUMENT: .*contoso\.example/);
  assert.doesNotMatch(foreign, /exists/);
  assert.equal(await refusal(newGroup(admin, 'Other', 'other@fabrikam.example', [])), foreign, "another tenant's group address and a free one answer alike");
  assert.match(await refusal(newGroup(admin, 'Sales 2', 'sales@contoso.example', [])), /^OG_ERR_ALREADY_EXISTS/, 'its own clash is its own business');
  assert.deepEqual((await getGroups(admin)).map((g) => g.PrimarySmtpAddress), ['sales@contoso.example']);

  const ownRecords = (await searchAuditLog(admin, { ResultSize: 50_000 })).length;
  const all = await store.verifyAudit();
  assert.ok(all.ok && all.records > ownRecords, 'other tenants have records too');
  assert.deepEqual(await testAuditLogIntegrity(admin), { ok: true, records: ownRecords });
});

test("a Sending Application's 403 says what it can do; names with bidirectional controls are refused", async (t) => {
  const store = await storeFor(t, 'outgate-notes-');
  await bootstrap(store, clock);
  const app: AdminContext = { store, clock, actor: actor('Sending Application') };
  await assert.rejects(setPolicy(app, 'Default', { RecipientLimitPerDay: 1 }), (err: Error) => {
    assert.equal(err.message, 'The role Sending Application cannot make changes (it can only submit messages to the send check).');
    return true;
  });
  const reader: AdminContext = { store, clock, actor: actor('Security Reader') };
  await assert.rejects(setPolicy(reader, 'Default', { RecipientLimitPerDay: 1 }), /cannot make changes \(it can only view\)\.$/);

  const admin: AdminContext = { store, clock, actor: actor('Global Administrator') };
  for (const c of ['\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f']) {
    await assert.rejects(
      newAcceptedDomain(admin, `Default${c}tluafeD`, 'bidi.example'),
      /OG_ERR_INVALID_ARGUMENT|bidirectional control characters/,
      `U+${c.charCodeAt(0).toString(16)}`,
    );
  }
  assert.equal((await getAcceptedDomains(admin)).length, 0);
  await assert.rejects(getAcceptedDomains({ ...admin, tenant: 'x\u202eY' }), (err: Error) => err.message.includes('x\\u202eY'));
});
