// What PostgreSQL adds to the backend contract: several nodes on one database. Migrations take turns,
// the audit chain stays whole under concurrent writers, the outbox hands each notification to one
// node, a node-local counter refuses a second node, and a change missed while disconnected arrives.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import pg from 'pg';
import { startPostgres, type ThrowawayPostgres } from '../../../../test/support/postgres.js';
import type { AuditEntry } from '../../../app/audit.js';
import type { AlertBatch, Change, StoreBackend, StoredNotification } from '../../../app/ports.js';
import { EVENT_COOLDOWN_MS, type Actor, type DomainEvent } from '../../../domain/events.js';
import { restrict } from '../../../domain/restriction.js';
import type { SenderRef } from '../../../domain/sender.js';
import { PG_MIGRATIONS } from './migrations.js';
import { openPostgres, schemaVersion } from './postgres-backend.js';
import type { PostgresStore } from './store.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const ROOT: Actor = { name: 'root', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null };
const entry = (at: number, operation: string): AuditEntry => ({ at, tenantId: 'default', actor: ROOT, operation, target: 'x', before: null, after: null, result: 'Succeeded' });

let server: ThrowawayPostgres;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

/** `n` nodes on one fresh database, opened together; closed when the test ends. */
async function nodes(t: TestContext, n: number, role: 'server' | 'cli' = 'cli'): Promise<{ url: string; backends: StoreBackend[] }> {
  const url = await server.createDatabase();
  const backends = await Promise.all(Array.from({ length: n }, () => openPostgres({ url, role })));
  t.after(() => Promise.all(backends.map((b) => b.close())));
  return { url, backends };
}

test('three nodes starting at once on an empty database migrate it once and all serve', async (t) => {
  const { url, backends } = await nodes(t, 3);
  assert.equal(await schemaVersion(url), PG_MIGRATIONS.length);
  for (const b of backends) await b.store.ping();
  assert.equal((await backends[0]!.store.loadDirectory()).revision, 0);
});

test('audit records written by two nodes at once form one unbroken chain', async (t) => {
  const { backends } = await nodes(t, 2);
  await Promise.all(Array.from({ length: 20 }, (_, i) => backends[i % 2]!.store.recordAudit([entry(T + i, `Op-${i}`)])));
  const report = await backends[1]!.store.verifyAudit();
  assert.deepEqual(report.ok && report.records, 20, JSON.stringify(report));
});

test('two nodes claiming the outbox together never both get one notification', async (t) => {
  const { backends } = await nodes(t, 2);
  const [a, b] = backends as [StoreBackend, StoreBackend];
  await a.store.recordAudit([entry(T, 'Sign-In')]);
  const [record] = await a.store.auditAfter(0, 1);
  const notification = (i: number): StoredNotification => ({
    id: `n${i}`, alertId: 'a1', channel: 'email', recipient: `admin${i}@example.com`, webhookId: null, status: 'Pending',
    attempts: 0, nextAttemptAt: T, lastAttemptAt: null, sentAt: null, lastError: null, createdAt: T,
  });
  const batch: AlertBatch = {
    fromSeq: 0,
    toSeq: record!.seq,
    newAlerts: [{ id: 'a1', tenantId: 'default', policyId: 'p', policyName: 'P', severity: 'High', status: 'New', entityType: 'Mailbox', entity: 'alice@example.com', reason: 'r', firstEventAt: T, lastEventAt: T, eventCount: 1, changedAt: T }],
    joined: [],
    events: [],
    notifications: Array.from({ length: 12 }, (_, i) => notification(i)),
    counted: [],
  };
  // The same batch planned on both nodes: one commits it.
  assert.deepEqual((await Promise.all([a.store.commitAlertBatch(batch), b.store.commitAlertBatch(batch)])).filter(Boolean).length, 1);
  const claims = await Promise.all([a, b, a, b].map((x) => x.store.claimNotifications(T + 1000, 60_000, 5)));
  const ids = claims.flat().map((c) => c.notification.id);
  assert.equal(ids.length, 12, 'every due notification is claimed');
  assert.equal(new Set(ids).size, 12, 'and by one claimer only');
  assert.deepEqual(await a.store.claimNotifications(T + 2000, 60_000, 50), [], 'leased: hidden until the lease ends');
  assert.equal((await b.store.claimNotifications(T + 61_001, 60_000, 50)).length, 12, 'a lease that ran out (node died mid-send): claimed again');
});

test('a second server counting in its own memory is refused, naming the setting for several nodes', async (t) => {
  const url = await server.createDatabase();
  const first = await openPostgres({ url, role: 'server' });
  t.after(() => first.close());
  await first.openCounters(T);
  const second = await openPostgres({ url, role: 'server' });
  t.after(() => second.close());
  await assert.rejects(second.openCounters(T), (err: { code?: string; message?: string }) => err.code === 'OG_ERR_CONFIG_INVALID' && /OUTGATE_REDIS_URL/.test(err.message ?? ''));
  await first.close();
  await second.openCounters(T);
});

test('a change made while a node was disconnected reaches it when it reconnects', async (t) => {
  const { url, backends } = await nodes(t, 1, 'server');
  const node = backends[0]!;
  const cli = await openPostgres({ url, role: 'cli' });
  t.after(() => cli.close());
  const errors: string[] = [];
  node.startBackground(() => T, (what) => errors.push(what));
  const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@example.com' };
  const seen = new Promise<Change>((resolve) => node.store.subscribe((c) => c.kind === 'restriction' && resolve(c)));
  // Cut the node's listening connection, then change something while it is away.
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.after(() => admin.end());
  const listening = async (): Promise<number> =>
    (await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")).rows[0].n;
  while ((await listening()) === 0) await new Promise((r) => setImmediate(r));
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()");
  await cli.store.applyTransition(restrict(alice, { reason: 'x', policy: 'Default', action: 'BlockUser', now: T }), { resetWindows: false });
  const change = await Promise.race([seen, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not seen within 5 s')), 5_000).unref())]);
  assert.equal(change.kind === 'restriction' && change.sender.identity, alice.identity);
  assert.ok(errors.some((e) => /dropped/.test(e)), 'the drop was reported');
});

/** Waits (condition, not time) until `ok` holds, failing after `ms`. */
async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('while changes cannot be read the store says it is stale (decisions fail closed), and recovers', async (t) => {
  const { url, backends } = await nodes(t, 1, 'server');
  const node = backends[0]!;
  node.startBackground(() => T, () => undefined);
  assert.equal(node.store.staleness?.(), undefined);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.after(() => admin.end());
  // The feed's table out of reach, and its listening connection cut: the read it makes at once fails.
  await admin.query('ALTER TABLE change_log RENAME TO change_log_away');
  while ((await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")).rows[0].n === 0);
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()");
  await until('stale', () => node.store.staleness?.() !== undefined);
  assert.match(node.store.staleness!()!.message, /Changes made by other nodes cannot be read from PostgreSQL/);
  await admin.query('ALTER TABLE change_log_away RENAME TO change_log');
  await until('fresh again once a read works', () => node.store.staleness?.() === undefined);
});

test('a node whose place in the feed was pruned away is told to resync everything', async (t) => {
  const { url, backends } = await nodes(t, 1, 'server');
  const node = backends[0]!;
  const cli = await openPostgres({ url, role: 'cli' });
  t.after(() => cli.close());
  const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@example.com' };
  await cli.store.applyTransition(restrict(alice, { reason: 'x', policy: 'Default', action: 'BlockUser', now: T }), { resetWindows: false });
  // Two days on, another node's housekeeping drops that change before this node ever read it.
  const other = await openPostgres({ url, role: 'server' });
  t.after(() => other.close());
  await (other.store as PostgresStore).prune(T + 2 * 86_400_000);
  const seen: Change[] = [];
  node.store.subscribe((c) => seen.push(c));
  node.startBackground(() => T, () => undefined);
  await until('resync', () => seen.length > 0);
  assert.deepEqual(seen, [{ kind: 'resync' }]);
});

test('an early warning raised by three nodes at once is recorded once, and again after the cooldown', async (t) => {
  const { backends } = await nodes(t, 3);
  const bob: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'bob@example.com' };
  const warn = (at: number): DomainEvent => ({ type: 'SuspiciousSending', at, sender: bob, reason: '80% of 100 recipients an hour', policy: 'Default' });
  const warnings = async () => (await backends[0]!.store.searchAudit({ limit: 100 })).filter((r) => r.operation === 'SuspiciousSending').length;
  await Promise.all(backends.map((b) => b.store.recordEvents([warn(T)])));
  assert.equal(await warnings(), 1);
  await Promise.all(backends.map((b) => b.store.recordEvents([warn(T + EVENT_COOLDOWN_MS - 1)])));
  assert.equal(await warnings(), 1, 'still cooling down');
  await Promise.all(backends.map((b) => b.store.recordEvents([warn(T + EVENT_COOLDOWN_MS)])));
  assert.equal(await warnings(), 2);
  const report = await backends[1]!.store.verifyAudit();
  assert.equal(report.ok, true);
});

test("a node's sends recorded at once are written together: summed per minute, those before a window reset left out", async (t) => {
  const { backends } = await nodes(t, 1);
  const store = backends[0]!.store as PostgresStore;
  const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@contoso.com' };
  const bob: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'bob@contoso.com' };
  // Bob's windows were reset at T + 30 s: his sends before it must not count, those after it must.
  await store.db.q.insertInto('window_resets').values({ tenant_id: 'default', entity_type: 'Mailbox', identity: bob.identity, at: T + 30_000, minute: Math.floor(T / 60_000), external: 0, internal: 0, messages: 0 }).execute();
  const send = (sender: SenderRef, at: number, external: number) => store.recordSends([{ sender, at, counts: { external, internal: 1, messages: 1 } }], []);
  // The first write goes alone; the other 41 arrive while it is in flight and go in one statement, where
  // alice's 20 sends of one minute meet in one row (ON CONFLICT may touch a row once per statement).
  await Promise.all([
    send(alice, T, 1),
    ...Array.from({ length: 20 }, (_, i) => send(alice, T + i * 1000, 2)),
    ...Array.from({ length: 10 }, (_, i) => send(bob, T + i * 1000, 1)),
    ...Array.from({ length: 10 }, (_, i) => send(bob, T + 40_000 + i * 100, 1)),
    send(alice, T + 60_000, 5),
  ]);
  const rows = [...(await store.loadWindows(Math.floor(T / 60_000) - 1))].map((r) => [r.sender.identity, r.bucket.minute - Math.floor(T / 60_000), r.bucket.external, r.bucket.internal, r.bucket.messages]);
  assert.deepEqual(rows.sort(), [
    ['alice@contoso.com', 0, 41, 21, 21],
    ['alice@contoso.com', 1, 5, 1, 1],
    ['bob@contoso.com', 0, 10, 10, 10],
  ].sort());
});
