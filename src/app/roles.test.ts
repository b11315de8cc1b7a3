// The role matrix and tenant isolation, through the use cases on a real store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../adapters/store/open-store.js';
import { loadConfig } from '../config/load.js';
import { restrict } from '../domain/restriction.js';
import type { Actor } from '../domain/events.js';
import { isOutgateError } from '../errors.js';
import { getAcceptedDomains, newAcceptedDomain } from './accepted-domains.js';
import { searchAuditLog, setAuditConfig } from './audit-log.js';
import type { AdminContext } from './directory-change.js';
import { getPolicies, setPolicy } from './policies.js';
import type { Clock } from './ports.js';

/** A fixed instant: no test depends on today's date. */
const clock: Clock = { now: () => Date.UTC(2026, 10, 28, 9, 0, 0) };
import { getBlockedSenders, unblockSender } from './restricted-entities.js';
import { ROLES, type Role } from './roles.js';
import { bootstrap, getTenants, newTenant } from './tenants.js';

const actor = (role: Role, tenantId: string | null = null): Actor => ({ name: `${role}@test`, role, source: 'api', ip: '127.0.0.1', tenantId });

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
  const dir = mkdtempSync(join(tmpdir(), 'outgate-roles-'));
  const backend = await openStore(loadConfig({ env: {}, overrides: { dataDir: dir } }), 'cli');
  const store = backend.store;
  t.after(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
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
    const allowed = (Object.keys(results) as Array<keyof typeof results>).filter((k) => results[k].every((r) => r === 'ok' || r === 'SENDER_NOT_BLOCKED'));
    assert.equal(allowed.join(' '), expected[role], `${role}: ${JSON.stringify(results)}`);
    for (const k of Object.keys(results) as Array<keyof typeof results>) {
      if (!allowed.includes(k)) assert.ok(results[k].every((r) => r === 'FORBIDDEN'), `${role} ${k}: ${results[k].join(',')}`);
    }
  }
});

test("a tenant's admin cannot see, infer or change another tenant's objects", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outgate-tenants-'));
  const backend = await openStore(loadConfig({ env: {}, overrides: { dataDir: dir } }), 'cli');
  const store = backend.store;
  t.after(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await bootstrap(store, clock);
  const provider: AdminContext = { store, clock, actor: actor('Global Administrator') };
  const contoso = await newTenant(provider, 'Contoso');
  const fabrikam = await newTenant(provider, 'Fabrikam');
  await newAcceptedDomain({ ...provider, tenant: 'Contoso' }, 'Contoso', 'contoso.example');
  await newAcceptedDomain({ ...provider, tenant: 'Fabrikam' }, 'Fabrikam', 'fabrikam.example');
  const victim = { tenantId: fabrikam.Id, type: 'Mailbox' as const, identity: 'eve@fabrikam.example' };
  await store.applyTransition(restrict(victim, { reason: 'r', policy: 'Default', action: 'BlockUser', now: Date.now() - 1000 }), { resetWindows: false });

  const admin: AdminContext = { store, clock, actor: actor('Security Administrator', contoso.Id) };
  assert.deepEqual((await getAcceptedDomains(admin)).map((d) => d.DomainName), ['contoso.example'], 'defaults to its own tenant');
  assert.deepEqual((await getTenants(admin)).map((x) => x.Name), ['Contoso']);
  assert.equal(await outcome(getAcceptedDomains({ ...admin, tenant: 'Fabrikam' })), 'NOT_FOUND');
  assert.equal(await outcome(getAcceptedDomains({ ...admin, tenant: fabrikam.Id })), 'NOT_FOUND');
  assert.deepEqual(await getBlockedSenders(admin), []);
  assert.equal(await outcome(unblockSender(admin, 'eve@fabrikam.example')), 'SENDER_NOT_BLOCKED', 'as if it did not exist');
  assert.equal(await outcome(newTenant(admin, 'Mine')), 'FORBIDDEN');
  assert.equal((await getBlockedSenders(provider)).length, 1, 'the provider-level admin sees across tenants');
});

test('a sender unblocked 3 times in 30 days can be unblocked again only by a Global Administrator', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outgate-unblock-limit-'));
  const backend = await openStore(loadConfig({ env: {}, overrides: { dataDir: dir } }), 'cli');
  const store = backend.store;
  t.after(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await bootstrap(store, clock);
  const sender = { tenantId: 'default', type: 'Mailbox' as const, identity: 'loop@outgate.test' };
  const secAdmin: AdminContext = { store, clock, actor: actor('Security Administrator') };
  const trip = () => store.applyTransition(restrict(sender, { reason: 'r', policy: 'Default', action: 'BlockUser', now: Date.now() }), { resetWindows: false });
  for (let i = 0; i < 3; i++) {
    await trip();
    assert.equal(await outcome(unblockSender(secAdmin, 'loop@outgate.test')), 'ok');
  }
  await trip();
  await assert.rejects(unblockSender(secAdmin, 'loop@outgate.test'), /OG_ERR_UNBLOCK_LIMIT|unblocked 3 times in the last 30 days \(the limit is 3\); only a Global Administrator can unblock it again/);
  assert.equal(await outcome(unblockSender({ ...secAdmin, unblockLimit: 4 }, 'loop@outgate.test')), 'ok', 'the limit is a setting');
  await trip();
  assert.equal(await outcome(unblockSender({ ...secAdmin, actor: actor('Global Administrator') }, 'loop@outgate.test')), 'ok');
});
