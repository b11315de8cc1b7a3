// The backend contract: what every store implementation must do, as one suite run against each
// (the embedded store, PostgreSQL alone, PostgreSQL + Redis), unchanged. Races are real concurrent calls, the
// clock is fixed, and waits are on conditions, never sleeps. The counters part (counters.contract.ts)
// runs here on the store's own counters, and alone against counters that live elsewhere (Redis).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { AuditEntry } from '../../app/audit.js';
import type { AlertBatch, Change, StoreBackend, StoredSession } from '../../app/ports.js';
import type { Actor } from '../../domain/events.js';
import { release, restrict } from '../../domain/restriction.js';
import { senderKey, type SenderRef } from '../../domain/sender.js';
import { isOutgateError } from '../../errors.js';
import { countersContract } from './counters.contract.js';

/** Opens backends on one fresh store per test; a second `open` is another process on the same store. */
export interface ContractStore {
  open(role: 'server' | 'cli'): StoreBackend | Promise<StoreBackend>;
  /** Throws the store away, once every backend opened on it is closed. */
  dispose?(): void | Promise<void>;
}

// ─── Helpers ───

/** 2026-11-28 09:00 UTC, as the rest of the tests: never the real date. */
const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const ROOT: Actor = { name: 'root', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null };
const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@contract.test' };
const ALICE = senderKey(alice);
const entry = (at: number, operation: string, target = 'x'): AuditEntry => ({ at, tenantId: 'default', actor: ROOT, operation, target, before: null, after: null, result: 'Succeeded' });

const openedOn = new WeakMap<ContractStore, StoreBackend[]>();

/** A fresh store for one test; its backends are closed, then the store disposed, when the test ends. */
function fresh(t: TestContext, makeStore: (t: TestContext) => ContractStore): ContractStore {
  const store = makeStore(t);
  const backends: StoreBackend[] = [];
  openedOn.set(store, backends);
  t.after(async () => {
    for (const b of backends) await b.close();
    await store.dispose?.();
  });
  return store;
}

async function opened(store: ContractStore, role: 'server' | 'cli' = 'server'): Promise<StoreBackend> {
  const b = await store.open(role);
  openedOn.get(store)!.push(b);
  return b;
}

/** Resolves with the first change `accept` takes, failing after `ms` (a condition, not a sleep). */
function nextChange(b: StoreBackend, accept: (c: Change) => boolean, ms = 2_000): Promise<Change> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching change within ${ms} ms`));
    }, ms);
    const off = b.store.subscribe((c) => {
      if (!accept(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

// ─── The contract ───

/** `sharedCounters`: the backend's counters serve several nodes at once (Redis), not one process. */
export function storeContract(name: string, makeStore: (t: TestContext) => ContractStore, opts: { sharedCounters: boolean } = { sharedCounters: false }): void {
  const prefix = `[${name}]`;

  // The counters part, on the backend's own counters; an unblock resets the windows as an admin's does.
  countersContract(name, async (t) => {
    const store = fresh(t, makeStore);
    const b = await opened(store);
    return {
      // Another node: a second server backend on the same store, with its own connections.
      ...(opts.sharedCounters ? { otherNode: async () => (await opened(store)).openCounters(T) } : {}),
      counters: await b.openCounters(T),
      async resetWindows(sender, at) {
        const r = restrict(sender, { reason: 'x', policy: 'Default', action: 'BlockUser', now: at - 1000 });
        await b.store.applyTransition(r, { resetWindows: false });
        const u = release(r.restriction, { how: 'Unblocked', actor: ROOT, reason: 'ok', now: at })!;
        const reset = nextChange(b, (c) => c.kind === 'windows-reset');
        assert.equal(await b.store.applyTransition(u, { from: r.restriction, resetWindows: true }), true);
        await reset;
      },
      async history(sender, fromHour) {
        await b.flush();
        return b.store.sendingHistory(sender, fromHour);
      },
    };
  }, { shared: opts.sharedCounters });

  test(`${prefix} a restriction applies once when two nodes trip it together, and a release from a stale read is refused`, async (t) => {
    const b = await opened(fresh(t, makeStore));
    const r1 = restrict(alice, { reason: 'a', policy: 'Default', action: 'BlockUser', now: T });
    const r2 = restrict(alice, { reason: 'b', policy: 'Default', action: 'BlockUser', now: T });
    const applied = await Promise.all([
      b.store.applyTransition(r1, { resetWindows: false }),
      b.store.applyTransition(r2, { resetWindows: false }),
    ]);
    assert.deepEqual(applied.filter(Boolean).length, 1);
    const current = (await b.store.getRestriction(alice))!;
    assert.equal(current.status, 'Restricted');
    const u = release(current, { how: 'Unblocked', actor: ROOT, reason: 'ok', now: T + 60_000 })!;
    assert.equal(await b.store.applyTransition(u, { from: undefined, resetWindows: true }), false, 'stale read: refused');
    const twice = await Promise.all([
      b.store.applyTransition(u, { from: current, resetWindows: true }),
      b.store.applyTransition(u, { from: current, resetWindows: true }),
    ]);
    assert.equal(twice.filter(Boolean).length, 1, 'two admins unblocking at once: one wins');
    const [view] = await b.store.listRestrictions({ identity: alice.identity });
    assert.deepEqual(
      view!.history.map((h) => h.event),
      ['Restricted', 'Unblocked'],
    );
  });

  test(`${prefix} the Restricted entities list is filtered, searched, sorted and paged by the store`, async (t) => {
    const b = await opened(fresh(t, makeStore));
    const { revision } = await b.store.loadDirectory();
    const iso = new Date(T).toISOString();
    const relay = { Id: 'c0ffee00-0000-4000-8000-000000000001', TenantId: 'default', Name: 'Branch relay', Enabled: true, SenderIPAddresses: ['192.0.2.0/24'], Comment: '', RecipientLimitExternalPerHour: 0, RecipientLimitInternalPerHour: 0, RecipientLimitPerDay: 0, WhenCreatedUTC: iso, WhenChangedUTC: iso };
    // A fresh store has no tenant yet: the connector's comes in the same write.
    const tenant = { Id: 'default', Name: 'Default', ExternalRecipientLimitPerDay: 0, WhenCreatedUTC: iso };
    await b.store.writeDirectory({ revision, upsert: [{ kind: 'tenant', object: tenant }, { kind: 'connector', object: relay }], event: { type: 'ConfigurationChanged', at: T, tenantId: 'default', actor: ROOT, operation: 'New-InboundConnector', target: relay.Name, before: null, after: null } });
    const mailbox = (identity: string): SenderRef => ({ tenantId: 'default', type: 'Mailbox', identity });
    const senders: Array<[SenderRef, string, 'BlockUser' | 'BlockUserForToday', number]> = [
      [mailbox('julia@contoso.com'), 'EmailSendingLimitExceeded;ExceedingLimitType=External', 'BlockUser', T],
      [mailbox('adele@contoso.com'), 'EmailSendingLimitExceeded;ExceedingLimitType=Internal', 'BlockUserForToday', T - 2 * 86_400_000],
      [mailbox('x_100%@contoso.com'), 'EmailSendingLimitExceeded;ExceedingLimitType=External', 'BlockUserForToday', T - 60_000],
      [{ tenantId: 'default', type: 'Connector', identity: relay.Id }, 'EmailSendingLimitExceeded;ExceedingLimitType=External', 'BlockUser', T - 120_000],
      [mailbox('other@fabrikam.com'), 'EmailSendingLimitExceeded;ExceedingLimitType=External', 'BlockUser', T],
    ];
    for (const [sender, reason, action, now] of senders) {
      const tenant = sender.identity.endsWith('fabrikam.com') ? { ...sender, tenantId: 'fabrikam' } : sender;
      assert.ok(await b.store.applyTransition(restrict(tenant, { reason, policy: 'Default', action, now }), { resetWindows: false }));
    }
    const page = async (q: Partial<Parameters<typeof b.store.pageRestrictions>[0]>) => {
      const r = await b.store.pageRestrictions({ tenantId: 'default', now: T, sort: 'Entity', order: 'asc', offset: 0, limit: 50, ...q });
      return { total: r.total, ids: r.items.map((v) => v.identity) };
    };
    // The connector sorts by its name, case-insensitively among the addresses.
    assert.deepEqual((await page({})).ids, ['adele@contoso.com', relay.Id, 'julia@contoso.com', 'x_100%@contoso.com']);
    assert.deepEqual(await page({ offset: 1, limit: 2 }), { total: 4, ids: [relay.Id, 'julia@contoso.com'] });
    assert.deepEqual((await page({ search: 'BRANCH' })).ids, [relay.Id], 'the connector name is searched');
    assert.deepEqual((await page({ search: '_100%' })).ids, ['x_100%@contoso.com'], 'wildcards are text');
    assert.deepEqual((await page({ search: '%' })).ids, ['x_100%@contoso.com']);
    assert.deepEqual((await page({ search: 'internal' })).ids, ['adele@contoso.com'], 'the reason is searched');
    assert.deepEqual((await page({ status: 'Released' })).ids, ['adele@contoso.com'], 'a BlockUserForToday of two days ago has lifted');
    assert.equal((await page({ status: 'Restricted' })).total, 3);
    assert.deepEqual((await page({ sort: 'EntityType', order: 'asc' })).ids[0], relay.Id);
    assert.deepEqual((await page({ sort: 'Reason', order: 'desc' })).ids[0], 'adele@contoso.com');
    assert.deepEqual((await page({ sort: 'Status', order: 'asc' })).ids[0], 'adele@contoso.com');
    assert.deepEqual((await page({ sort: 'CreatedDatetime', order: 'desc' })).ids, ['julia@contoso.com', 'x_100%@contoso.com', relay.Id, 'adele@contoso.com']);
    // Never expiring is the latest expiry: BlockUser ones last when soonest first.
    assert.deepEqual((await page({ sort: 'ExpiresDatetime', order: 'asc' })).ids, ['adele@contoso.com', 'x_100%@contoso.com', relay.Id, 'julia@contoso.com']);
    assert.deepEqual((await page({ tenantId: undefined, entityType: 'Mailbox' })).total, 4, 'every tenant, mailboxes only');
    const [withHistory] = (await b.store.pageRestrictions({ now: T, sort: 'Entity', order: 'asc', offset: 0, limit: 1, search: 'julia' })).items;
    assert.deepEqual(withHistory?.history.map((h) => h.event), ['Restricted']);
  });

  test(`${prefix} two directory writes from the same revision: one commits, the other is a conflict`, async (t) => {
    const b = await opened(fresh(t, makeStore));
    const { revision } = await b.store.loadDirectory();
    const write = (id: string) =>
      b.store.writeDirectory({
        revision,
        upsert: [{ kind: 'tenant', object: { Id: id, Name: id, ExternalRecipientLimitPerDay: 0, WhenCreatedUTC: new Date(T).toISOString() } }],
        event: {
          type: 'ConfigurationChanged',
          at: T,
          tenantId: id,
          actor: ROOT,
          operation: 'New-Tenant',
          target: id,
          before: null,
          after: null,
        },
      });
    const results = await Promise.allSettled([write('t1'), write('t2')]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(isOutgateError(failed.reason) && failed.reason.code === 'OG_ERR_CONFLICT', String(failed.reason));
    const after = await b.store.loadDirectory();
    assert.ok(after.revision > revision);
    assert.equal(after.tenants.filter((x) => x.Id === 't1' || x.Id === 't2').length, 1);
  });

  test(`${prefix} a Send As grant is stored, read back whole by another process, and removed`, async (t) => {
    const store = fresh(t, makeStore);
    const b = await opened(store);
    const change = (operation: string) => ({ type: 'ConfigurationChanged' as const, at: T, tenantId: 'perm', actor: ROOT, operation, target: 'boss@perm.test', before: null, after: null });
    const grant = { Id: 'g1', TenantId: 'perm', Identity: 'boss@perm.test', Trustee: 'svc@perm.test', AccessRights: ['SendAs' as const], WhenCreatedUTC: new Date(T).toISOString() };
    await b.store.writeDirectory({
      revision: (await b.store.loadDirectory()).revision,
      upsert: [
        { kind: 'tenant', object: { Id: 'perm', Name: 'Perm', ExternalRecipientLimitPerDay: 0, WhenCreatedUTC: new Date(T).toISOString() } },
        { kind: 'permission', object: grant },
      ],
      event: change('Add-RecipientPermission'),
    });
    const other = await opened(store, 'cli');
    assert.deepEqual((await other.store.loadDirectory()).permissions, [grant]);
    await other.store.writeDirectory({ revision: (await other.store.loadDirectory()).revision, remove: [{ kind: 'permission', id: 'g1' }], event: change('Remove-RecipientPermission') });
    assert.deepEqual((await b.store.loadDirectory()).permissions, []);
  });

  test(`${prefix} the change feed tells this process at once and another process soon after`, async (t) => {
    const store = fresh(t, makeStore);
    const server = await opened(store, 'server');
    server.startBackground(
      () => T,
      (what, err) => assert.fail(`${what}: ${String(err)}`),
    );
    const own = nextChange(server, (c) => c.kind === 'restriction');
    const r = restrict(alice, { reason: 'x', policy: 'Default', action: 'BlockUser', now: T });
    await server.store.applyTransition(r, { resetWindows: false });
    assert.deepEqual(await own, { kind: 'restriction', sender: alice, restriction: r.restriction });

    const cli = await opened(store, 'cli');
    const unblock = nextChange(server, (c) => c.kind === 'restriction');
    const directory = nextChange(server, (c) => c.kind === 'directory');
    const u = release(r.restriction, { how: 'Unblocked', actor: ROOT, reason: 'ok', now: T + 1000 })!;
    assert.equal(await cli.store.applyTransition(u, { from: r.restriction, resetWindows: false }), true);
    const { revision } = await cli.store.loadDirectory();
    await cli.store.writeDirectory({
      revision,
      event: {
        type: 'ConfigurationChanged',
        at: T,
        tenantId: 'default',
        actor: ROOT,
        operation: 'Set-Nothing',
        target: 'x',
        before: null,
        after: null,
      },
    });
    const seen = await unblock;
    assert.equal(seen.kind === 'restriction' && senderKey(seen.sender), ALICE);
    await directory;
    assert.equal((await server.store.getRestriction(alice))?.status, 'Released');
  });

  test(`${prefix} the audit log chains every record, including the switch that turns it off`, async (t) => {
    const b = await opened(fresh(t, makeStore));
    await b.store.recordEvents([restrict(alice, { reason: 'r', policy: 'Default', action: 'BlockUser', now: T }).event]);
    await b.store.recordAudit([entry(T + 1, 'Sign-In', 'root')]);
    await b.store.setAuditEnabled(false, [entry(T + 2, 'Set-AdminAuditLogConfig')]);
    assert.equal(await b.store.auditEnabled(), false);
    const report = await b.store.verifyAudit();
    assert.equal(report.ok, true, JSON.stringify(report));
    const all = await b.store.searchAudit({});
    assert.ok(all.length >= 3);
    assert.deepEqual(
      (await b.store.searchAudit({ operations: ['Sign-In'] })).map((a) => a.target),
      ['root'],
    );
  });

  test(`${prefix} a portal session lives until signed out once, and failed sign-ins are counted per key`, async (t) => {
    const b = await opened(fresh(t, makeStore), 'cli');
    await b.store.saveAccount(
      {
        Id: 'acc',
        Name: 'root',
        DisplayName: 'Root',
        Role: 'Global Administrator',
        TenantId: null,
        Enabled: true,
        Email: null,
        WhenCreatedUTC: new Date(T).toISOString(),
        WhenChangedUTC: new Date(T).toISOString(),
      },
      null,
      entry(T, 'New-Account'),
    );
    const s: StoredSession = { idHash: 'h1', accountId: 'acc', csrfToken: 'c', createdAt: T, lastSeenAt: T, ip: '127.0.0.1' };
    await b.store.createSession(s, entry(T, 'Sign-In'));
    await b.store.touchSession('h1', T + 5000);
    assert.equal((await b.store.getSession('h1'))?.lastSeenAt, T + 5000);
    const out = await Promise.all([
      b.store.deleteSession('h1', entry(T + 6000, 'Sign-Out')),
      b.store.deleteSession('h1', entry(T + 6000, 'Sign-Out')),
    ]);
    assert.deepEqual(out.filter(Boolean).length, 1);
    assert.equal(await b.store.getSession('h1'), undefined);
    // Attempts are counted before the password is checked, atomically: of 10 at once, 3 may go on.
    const limits = [
      { key: 'name:root', max: 3, windowMs: 60_000 },
      { key: 'ip:127.0.0.1', max: 20, windowMs: 60_000 },
    ];
    const waits = await Promise.all(Array.from({ length: 10 }, () => b.store.reserveSignInAttempt(limits, T + 7000)));
    assert.equal(waits.filter((w) => w === 0).length, 3);
    assert.ok(
      waits.every((w) => w === 0 || (w > 0 && w <= 60_000)),
      `waits: ${waits.join(',')}`,
    );
    await b.store.clearSignInFailures('name:root');
    assert.equal(await b.store.reserveSignInAttempt(limits, T + 8000), 0, 'a cleared key counts from zero');
  });

  test(`${prefix} an alert batch commits only from the cursor it was planned at`, async (t) => {
    const b = await opened(fresh(t, makeStore), 'cli');
    await b.store.recordAudit([entry(T, 'Sign-In')]);
    const from = await b.store.alertCursor();
    const [record] = await b.store.auditAfter(from, 10);
    const batch = (id: string): AlertBatch => ({
      fromSeq: from,
      toSeq: record!.seq,
      newAlerts: [
        {
          id,
          tenantId: 'default',
          policyId: 'p',
          policyName: 'P',
          severity: 'Medium',
          status: 'New',
          entityType: 'Mailbox',
          entity: alice.identity,
          reason: 'r',
          firstEventAt: T,
          lastEventAt: T,
          eventCount: 1,
          changedAt: T,
        },
      ],
      joined: [],
      events: [{ alertId: id, at: T, operation: 'Sign-In', reason: 'r', auditSeq: record!.seq }],
      notifications: [],
      counted: [{ tenantId: 'default', policyId: 'p', day: Math.floor(T / 86_400_000), add: 1 }],
    });
    const committed = await Promise.all([b.store.commitAlertBatch(batch('a1')), b.store.commitAlertBatch(batch('a2'))]);
    assert.equal(committed.filter(Boolean).length, 1, 'two engines planning the same records: one commits');
    assert.equal(await b.store.alertCursor(), record!.seq);
    assert.equal((await b.store.listAlerts({ offset: 0, limit: 10 })).total, 1);
    assert.equal(await b.store.notificationsCounted('default', 'p', Math.floor(T / 86_400_000)), 1);
  });
}
