// The alert engine on the real store: two processes sharing a store raise each alert once; an alert
// nobody can be mailed about says so (Undeliverable); the early warning fires through the real
// policy path; a restart does not raise an alert twice.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { raiseAlerts } from '../src/app/alert-engine.js';
import { getAlert, listAlerts, setAlertStatus } from '../src/app/alerts.js';
import { SYSTEM } from '../src/domain/events.js';
import { SqliteStore } from '../src/adapters/store/sqlite/store.js';
import { bootstrap } from '../src/app/tenants.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { startTestServer, tempDataDir, TestClock } from './support/outgate.js';

// ─── Helpers ───

const restricted = (at: number, who: string) => ({
  at,
  tenantId: 'default',
  actor: SYSTEM,
  operation: 'SenderRestricted',
  target: `Mailbox:${who}`,
  before: null,
  after: { Reason: 'EmailSendingLimitExceeded;InternalRecipientCountToday=0;ExternalRecipientCountToday=1;ExceedingLimitType=External;Last MessagetraceId=;LastMessageRcptCount=1;RecipientLimitExternalPerHour=1;' },
  result: 'Succeeded' as const,
});

// ─── Scenarios ───

test('two processes on one store raise each alert exactly once, and a restart raises nothing again', async (t) => {
  const dir = tempDataDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new TestClock();
  const a = new SqliteStore(dir);
  const b = new SqliteStore(dir);
  t.after(async () => {
    await a.close();
    await b.close();
  });
  await bootstrap(a, clock);
  await a.recordAudit(['x1@contoso.example', 'x2@contoso.example', 'x3@contoso.example'].map((w) => restricted(clock.now(), w)));
  const results = await Promise.all([raiseAlerts(a, clock), raiseAlerts(b, clock), raiseAlerts(a, clock)]);
  assert.equal(results.reduce((n, r) => n + r.raised, 0), 3, JSON.stringify(results));
  const ctx = { store: b, clock, actor: SYSTEM };
  assert.equal((await listAlerts(ctx)).total, 3);

  const c = new SqliteStore(dir);
  t.after(() => c.close());
  assert.deepEqual(await raiseAlerts(c, clock), { read: 0, raised: 0 });
  assert.equal((await listAlerts({ ...ctx, store: c })).total, 3);
});

test('an event never joins an alert resolved while the engine was planning: the batch is planned again', async (t) => {
  const dir = tempDataDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new TestClock();
  const store = new SqliteStore(dir);
  t.after(() => store.close());
  await bootstrap(store, clock);
  await store.recordAudit([restricted(clock.now(), 'again@contoso.example')]);
  await raiseAlerts(store, clock);
  const ctx = { store, clock, actor: SYSTEM };
  const [first] = (await listAlerts(ctx)).items;
  await setAlertStatus(ctx, first!.Identity, 'Resolved');
  const cursor = await store.alertCursor();
  const stale = { fromSeq: cursor, toSeq: cursor, newAlerts: [], joined: [{ alertId: first!.Identity, at: clock.now(), reason: 'r' }], events: [], notifications: [], counted: [] };
  assert.equal(await store.commitAlertBatch(stale), false);
  assert.equal(await store.alertCursor(), cursor, 'nothing written');
  // Planned afresh, the repeat opens a new alert.
  await store.recordAudit([restricted(clock.now(), 'again@contoso.example')]);
  await raiseAlerts(store, clock);
  assert.deepEqual((await listAlerts(ctx)).items.map((a) => [a.Status, a.EventCount]).sort(), [['New', 1], ['Resolved', 1]]);
});

test('when no Global Administrator has an address, the alert records an Undeliverable notification with the reason', async (t) => {
  const dir = tempDataDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new TestClock();
  const store = new SqliteStore(dir);
  t.after(() => store.close());
  await bootstrap(store, clock);
  await store.recordAudit([restricted(clock.now(), 'nobody-told@contoso.example')]);
  await raiseAlerts(store, clock);
  const ctx = { store, clock, actor: SYSTEM };
  const [alert] = (await listAlerts(ctx)).items;
  const detail = await getAlert(ctx, alert!.Identity);
  assert.deepEqual(
    detail.Notifications.map((n) => [n.Channel, n.Recipient, n.Status]),
    [['email', 'TenantAdmins', 'Undeliverable']],
  );
  assert.match(detail.Notifications[0]!.LastError!, /No enabled Global Administrator of this tenant has an email address/);
});

test('a sender reaching 80% of its limit raises "Suspicious email sending patterns detected", once per cooldown', { timeout: 60_000 }, async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  assert.equal((await s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10')).code, 0);
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  const to = Array.from({ length: 8 }, (_, i) => `r${i}@example.com`);
  assert.equal((await sendMessage(c, { login: 'busy@outgate.test', to })).end, 'action=DUNNO');
  assert.equal((await sendMessage(c, { login: 'busy@outgate.test', to: ['r9@example.com'] })).end, 'action=DUNNO');
  await s.alerts.runOnce();
  const ctx = { store: s.store, clock: s.clock, actor: SYSTEM };
  const { items } = await listAlerts(ctx);
  assert.deepEqual(
    items.map((a) => [a.PolicyName, a.Severity, a.Entity, a.EventCount]),
    [['Suspicious email sending patterns detected', 'Medium', 'busy@outgate.test', 1]],
  );
  assert.match(items[0]!.Reason, /^SuspiciousSending;EarlyWarningShare=80%;InternalRecipientCountToday=0;ExternalRecipientCountToday=0;ExceedingLimitType=External;Last MessagetraceId=c\.\d+\.\d+;LastMessageRcptCount=8;RecipientLimitExternalPerHour=10;/);
});

test('a sender far above its own usual volume raises the early warning before any limit is near', { timeout: 60_000 }, async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  // A day and more of two recipients an hour, then 120 in one hour (the limit is 500).
  for (let h = 0; h < 28; h++) {
    await sendMessage(c, { login: 'steady@outgate.test', to: ['a@example.com', 'b@example.com'] });
    s.clock.advance(3_600_000);
  }
  for (let m = 0; m < 2; m++) await sendMessage(c, { login: 'steady@outgate.test', to: Array.from({ length: 60 }, (_, i) => `burst${m}-${i}@example.com`) });
  await s.flushSends();
  assert.equal(await s.sweepUnusualVolume(), 1);
  assert.equal(await s.sweepUnusualVolume(), 0, 'once per sender per hour');
  await s.alerts.runOnce();
  const { items } = await listAlerts({ store: s.store, clock: s.clock, actor: SYSTEM });
  assert.deepEqual(items.map((a) => [a.PolicyName, a.Entity]), [['Suspicious email sending patterns detected', 'steady@outgate.test']]);
  assert.equal(items[0]!.Reason, 'SuspiciousSending;UnusualVolume;RecipientsLastHour=120;UsualMaxPerHour=2;Factor=10;Policy=Default;');
});
