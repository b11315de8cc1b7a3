import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restrict, release } from '../../../domain/restriction.js';
import type { SenderRef } from '../../../domain/sender.js';
import { SqliteStore } from './store.js';

const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' };
const T = Date.UTC(2026, 10, 28, 10, 0, 0);
const send = (at: number, external = 1) => ({ sender: alice, at, counts: { external, internal: 0, messages: 1 } });

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'outgate-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function externalTotal(dir: string): Promise<number> {
  const s = new SqliteStore(dir);
  const rows = [...(await s.loadWindows(0))];
  await s.close();
  return rows.reduce((n, r) => n + r.bucket.external, 0);
}

test('journaled sends survive a crash before they reach SQLite, once, and a torn last line is dropped', async (t) => {
  const dir = tmp(t);
  const a = new SqliteStore(dir);
  a.openJournal(false);
  await a.recordSends([send(T), send(T + 1000, 2)], []);
  a.applyJournal();
  await a.recordSends([send(T + 2000, 4)], []);
  // "Crash": the process goes away without applying or closing; a write was torn mid-line.
  appendFileSync(join(dir, 'sends.0.journal'), '[1795,"default","Mailbox","tor');
  const b = new SqliteStore(dir);
  b.openJournal(false);
  await b.close();
  assert.equal(await externalTotal(dir), 7);
  const c = new SqliteStore(dir);
  c.openJournal(false);
  await c.close();
  assert.equal(await externalTotal(dir), 7, 'replaying again applies nothing twice');
});

test('an unblock restarts the windows without deleting history, and journaled sends from before it are left out', async (t) => {
  const dir = tmp(t);
  const s = new SqliteStore(dir);
  s.openJournal(false);
  await s.recordSends([send(T, 5)], []);
  s.applyJournal();
  await s.recordSends([send(T + 10_000, 3)], []); // before the unblock, not yet applied
  const r = restrict(alice, { reason: 'x', policy: 'Default', action: 'BlockUser', now: T + 20_000 });
  assert.equal(await s.applyTransition(r, { resetWindows: false }), true);
  assert.equal(await s.applyTransition(r, { resetWindows: false }), false, 'already restricted: a second trip writes nothing');
  const u = release(r.restriction, { how: 'Unblocked', actor: { name: 'root', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null }, reason: 'ok', now: T + 30_000 })!;
  assert.equal(await s.applyTransition(u, { from: undefined, resetWindows: true }), false, 'stale read: refused');
  assert.equal(await s.applyTransition(u, { from: r.restriction, resetWindows: true }), true);
  await s.recordSends([send(T + 40_000, 1)], []);
  await s.close();
  assert.equal(await externalTotal(dir), 1, 'only what came after the unblock counts');
  const again = new SqliteStore(dir);
  const hours = again.db.raw.prepare('SELECT SUM(external) AS e FROM sending_minutes').get() as { e: number };
  assert.equal(hours.e, 6, 'the sends themselves are kept for reports');
  const [view] = await again.listRestrictions({ identity: alice.identity });
  assert.deepEqual(view!.history.map((h) => h.event), ['Restricted', 'Unblocked']);
  await again.close();
});

test('the journal rotates to a new file once applied and large, keeping the position exact', async (t) => {
  const dir = tmp(t);
  const s = new SqliteStore(dir);
  s.openJournal(false, { rotateBytes: 1024 * 1024 });
  const big = Array.from({ length: 20_000 }, (_, i) => send(T + i));
  await s.recordSends(big, []);
  s.applyJournal();
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.journal')), ['sends.1.journal']);
  await s.recordSends([send(T + 99_000, 1)], []);
  await s.close();
  assert.equal(await externalTotal(dir), 20_001);
});

/** Runs background applies until nothing is pending (the worker answers asynchronously). */
async function drain(s: SqliteStore): Promise<void> {
  const errors: unknown[] = [];
  for (let i = 0; i < 50; i++) {
    const applying = s.applyJournalInBackground((e) => errors.push(e));
    if (!applying) break;
    await applying;
  }
  assert.deepEqual(errors, []);
}

test('the applier worker moves journaled sends into SQLite once, honours a window reset, and a restart replays nothing', async (t) => {
  const dir = tmp(t);
  const s = new SqliteStore(dir);
  s.openJournal(false);
  s.startBackgroundApply();
  await s.recordSends([send(T, 2), send(T + 1000, 3)], []);
  await drain(s);
  const sql = 'SELECT COALESCE(SUM(external), 0) AS e FROM sending_minutes';
  assert.equal((s.db.raw.prepare(sql).get() as { e: number }).e, 5, 'applied by the worker, seen by the main connection');
  assert.equal((s as unknown as { applier: { alive: boolean } }).applier.alive, true, 'the worker module loaded (no fallback to this thread)');
  // A send from before an unblock that reaches SQLite only after it is left out of the windows.
  await s.recordSends([send(T + 10_000, 4)], []);
  const r = restrict(alice, { reason: 'x', policy: 'Default', action: 'BlockUser', now: T + 20_000 });
  await s.applyTransition(r, { resetWindows: false });
  const u = release(r.restriction, { how: 'Unblocked', actor: { name: 'root', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null }, reason: 'ok', now: T + 30_000 })!;
  await s.applyTransition(u, { from: r.restriction, resetWindows: true });
  await drain(s);
  await s.recordSends([send(T + 40_000, 1)], []);
  await s.close();
  assert.equal(await externalTotal(dir), 1, 'only what came after the unblock counts');
  const again = new SqliteStore(dir);
  again.openJournal(false);
  assert.equal((again.db.raw.prepare(sql).get() as { e: number }).e, 6, 'each kept send once (the one the unblock made obsolete is left out, as on the main thread)');
  await again.close();
});

test('a batch whose outcome is unknown is settled by the stored position: never lost, never applied twice', async (t) => {
  const dir = tmp(t);
  const s = new SqliteStore(dir);
  s.openJournal(false);
  await s.recordSends([send(T, 2)], []);
  const journal = (s as unknown as { journal: import('./send-journal.js').SendJournal }).journal;
  const committed = journal.takeBatch()!;
  // The worker committed, then its answer was lost: the position says so.
  s.db.raw.prepare("INSERT INTO sending_minutes VALUES (?, 'default', 'Mailbox', ?, 2, 0, 1)").run(Math.floor(T / 60_000), alice.identity);
  s.db.raw.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('journal_generation', ?), ('journal_offset', ?)").run(committed.next.generation, committed.next.offset);
  journal.batchFailed(committed);
  assert.equal(journal.pendingCount, 0, 'taken as applied');
  await s.recordSends([send(T + 1000, 3)], []);
  const lost = journal.takeBatch()!;
  journal.batchFailed(lost); // it never committed: handed back and applied again
  assert.equal(journal.pendingCount, 1);
  await s.close();
  assert.equal(await externalTotal(dir), 5);
});

test('a batch of sends is summed per sender and minute before it is written, with the same buckets as one by one', async (t) => {
  const dir = tmp(t);
  const s = new SqliteStore(dir);
  t.after(() => s.close());
  const bob: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'bob@outgate.test' };
  const MIN = 60_000;
  const batch = [send(T, 2), { sender: bob, at: T + 1_000, counts: { external: 0, internal: 3, messages: 1 } }, send(T + 30_000, 5), send(T + MIN, 1), send(T + 59_999, 1)];
  await s.recordSends(batch, []);
  await s.recordSends([send(T, 10)], []);
  const rows = [...(await s.loadWindows(0))].map((r) => [r.sender.identity, r.bucket.minute - T / MIN, r.bucket.external, r.bucket.internal, r.bucket.messages]);
  rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
  assert.deepEqual(rows, [
    ['alice@outgate.test', 0, 18, 0, 4],
    ['alice@outgate.test', 1, 1, 0, 1],
    ['bob@outgate.test', 0, 0, 3, 1],
  ]);
});
