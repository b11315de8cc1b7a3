import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { NO_CAPS, type SendingCounters, type StoreBackend } from '../../../app/ports.js';
import type { Actor } from '../../../domain/events.js';
import { release, restrict } from '../../../domain/restriction.js';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { openEmbedded } from './embedded-backend.js';
import type { SqliteStore } from './store.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const bob: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'bob@counters.test' };

test('what makes a commit idempotent is kept per sender and bounded, not one id per message sent', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outgate-counters-'));
  const backend = openEmbedded({ dataDir, synchronous: 'normal', busyTimeoutMs: 5_000, role: 'server' });
  t.after(async () => {
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const counters = await backend.openCounters(T);
  const key = senderKey(bob);
  const commit = (message: string) => counters.commit({ sender: bob, key, message, at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  for (let i = 0; i < 1_000; i++) await commit(`m${i}`);
  await commit('m999');
  assert.equal((await counters.totals(key, '', T)).externalLastHour, 1_000, 'a repeated END of a recent message adds nothing');
  const remembered = (counters as unknown as { senders: Map<string, { recentCommits(): number[] }> }).senders.get(key)!.recentCommits();
  assert.ok(remembered.length <= 8 && remembered.every((h) => typeof h === 'number'), `${remembered.length} message ids remembered for one sender, as numbers`);
});

// ─── Senders loaded on demand ───

const MIN = 60_000;
const carol: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'carol@counters.test' };
const ROOT: Actor = { name: 'root', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null };

async function openServer(t: TestContext): Promise<{ backend: StoreBackend; counters: SendingCounters; inMemory: () => boolean }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outgate-counters-'));
  const backend = openEmbedded({ dataDir, synchronous: 'normal', busyTimeoutMs: 5_000, role: 'server' });
  t.after(async () => {
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const counters = await backend.openCounters(T);
  const inMemory = (): boolean => (counters as unknown as { senders: Map<string, unknown> }).senders.has(senderKey(carol));
  return { backend, counters, inMemory };
}

test('an idle sender leaves memory once its sends are in the store, and comes back with the same windows', async (t) => {
  const { backend, counters, inMemory } = await openServer(t);
  const key = senderKey(carol);
  for (let i = 0; i < 3; i++) await counters.commit({ sender: carol, key, message: `c${i}`, at: T + i * MIN, counts: { external: 2, internal: 1, messages: 1 } }, []);
  const later = T + 10 * MIN;
  counters.compact(later);
  assert.equal(inMemory(), true, 'kept while its sends are only in the journal');
  await backend.flush();
  counters.compact(T + 3 * MIN);
  assert.equal(inMemory(), true, 'kept while it sent in the last two minutes');
  const before = await counters.totals(key, '', later);
  const activeBefore = [...(await counters.active(later))];
  counters.compact(later);
  assert.equal(inMemory(), false, 'idle and applied: forgotten');
  assert.deepEqual([...(await counters.active(later))], activeBefore, 'still listed as active, from the store');
  assert.deepEqual(await counters.totals(key, '', later), before, 'read back from the store');
  const ask = (message: string, externalPerHour: number) =>
    counters.reserve({ sender: carol, key, message, recipient: 'x@example.com', internal: false, now: later, caps: { ...NO_CAPS, externalPerHour } });
  counters.compact(later);
  assert.equal((await ask('over', 6)).reserved, false, 'a sender loaded on demand is not admitted over its limit');
  assert.equal((await ask('under', 7)).reserved, true);
  counters.compact(later);
  assert.equal(inMemory(), true, 'a sender holding recipients stays');
});

test('a restarted store answers for senders it has not loaded, and an unblock still resets them', async (t) => {
  const { backend, counters, inMemory } = await openServer(t);
  const key = senderKey(carol);
  await counters.commit({ sender: carol, key, message: 'r1', at: T, counts: { external: 4, internal: 0, messages: 1 } }, []);
  await backend.flush();
  counters.compact(T + 5 * MIN);
  assert.equal(inMemory(), false);
  const fresh = await backend.openCounters(T + 5 * MIN);
  assert.equal((await fresh.totals(key, '', T + 5 * MIN)).externalLastHour, 4, 'counters opened later read it on demand');

  const r = restrict(carol, { reason: 'x', policy: 'Default', action: 'BlockUser', now: T + 6 * MIN });
  await backend.store.applyTransition(r, { resetWindows: false });
  const u = release(r.restriction, { how: 'Unblocked', actor: ROOT, reason: 'ok', now: T + 7 * MIN })!;
  await backend.store.applyTransition(u, { from: r.restriction, resetWindows: true });
  assert.equal((await counters.totals(key, '', T + 8 * MIN)).recipientsLast24h, 0, 'the reset is read with the windows');
});

test('senders the store holds no windows for are not looked up once the stored-sender filter is built', async (t) => {
  const { backend, counters, inMemory } = await openServer(t);
  const store = backend.store as SqliteStore;
  const key = senderKey(carol);
  const dave: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'dave@counters.test' };
  // carol has windows in the store from before the filter is built; erin leaves memory as it starts.
  await counters.commit({ sender: carol, key, message: 'f1', at: T, counts: { external: 3, internal: 0, messages: 1 } }, []);
  await backend.flush();
  counters.compact(T + 5 * MIN);
  assert.equal(inMemory(), false);
  const erin: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'erin@counters.test' };
  await counters.commit({ sender: erin, key: senderKey(erin), message: 'e1', at: T, counts: { external: 2, internal: 0, messages: 1 } }, []);
  await backend.flush();
  const built = store.startSenderFilter((err) => assert.fail(err));
  counters.compact(T + 5 * MIN);
  await built;

  assert.equal((await counters.totals(key, '', T + 6 * MIN)).externalLastHour, 3, 'a sender stored before the build is read back');
  assert.equal((await counters.totals(senderKey(erin), '', T + 6 * MIN)).externalLastHour, 2, 'a sender forgotten as the build starts is read back');
  // Rows written behind the counters' back for a sender they never dropped: the filter says "absent", so
  // the store is not asked (in the server only the counters write windows, so this cannot happen there).
  recordSendsDirectly(store, dave, T, 5);
  assert.equal((await counters.totals(senderKey(dave), '', T + 6 * MIN)).externalLastHour, 0, 'not looked up: the filter has never seen dave');
});

test('the busy senders alone: those with enough recipients in the last hour, from memory and from the store, resets subtracted', async (t) => {
  const { backend, counters } = await openServer(t);
  const who = (name: string): SenderRef => ({ tenantId: 'default', type: 'Mailbox', identity: `${name}@counters.test` });
  const send = (s: SenderRef, at: number, external: number, internal = 0) =>
    counters.commit({ sender: s, key: senderKey(s), message: `${s.identity}-${at}`, at, counts: { external, internal, messages: 1 } }, []);
  const [busy, quiet, earlier, unblocked, live] = ['busy', 'quiet', 'earlier', 'unblocked', 'live'].map(who) as [SenderRef, SenderRef, SenderRef, SenderRef, SenderRef];
  await send(busy, T, 2, 2);
  await send(quiet, T, 1);
  await send(earlier, T - 2 * 60 * MIN, 9);
  await send(unblocked, T, 6);
  const r = restrict(unblocked, { reason: 'x', policy: 'Default', action: 'BlockUser', now: T + MIN });
  await backend.store.applyTransition(r, { resetWindows: false });
  await backend.store.applyTransition(release(r.restriction, { how: 'Unblocked', actor: ROOT, reason: 'ok', now: T + 2 * MIN })!, { from: r.restriction, resetWindows: true });
  await backend.flush();
  const now = T + 5 * MIN;
  counters.compact(now);
  // Sent half a minute ago: in memory, counted from there.
  await send(live, T + 4 * MIN + 30_000, 3);
  const held = (counters as unknown as { senders: Map<string, unknown> }).senders;
  assert.deepEqual([busy, quiet, earlier, unblocked].filter((s) => held.has(senderKey(s))), [], 'the others were read back from the store');

  const listed = await counters.active(now, 3);
  assert.deepEqual(
    [...listed].map((a) => [a.sender.identity, a.totals]).sort(),
    [
      ['busy@counters.test', { externalLastHour: 2, internalLastHour: 2, externalLast24h: 2, internalLast24h: 2, recipientsLast24h: 4, messagesLastMinute: 0 }],
      ['live@counters.test', { externalLastHour: 3, internalLastHour: 0, externalLast24h: 3, internalLast24h: 0, recipientsLast24h: 3, messagesLastMinute: 1 }],
    ],
    'not the one under the bar, nor the one busy only earlier in the day, nor the one whose unblock restarted its windows',
  );
  assert.deepEqual([...(await counters.active(now))].map((a) => a.sender.identity).sort(), ['busy', 'earlier', 'live', 'quiet'].map((n) => `${n}@counters.test`), 'without a bar, every sender with something in its day');
});

function recordSendsDirectly(store: SqliteStore, sender: SenderRef, at: number, external: number): void {
  store.db.raw
    .prepare('INSERT INTO sending_minutes (minute, tenant_id, entity_type, identity, external, internal, messages) VALUES (?, ?, ?, ?, ?, 0, 1)')
    .run(Math.floor(at / MIN), sender.tenantId, sender.type, sender.identity, external);
}
