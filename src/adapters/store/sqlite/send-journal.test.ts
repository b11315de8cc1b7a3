import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SenderRef } from '../../../domain/sender.js';
import { SqliteStore } from './store.js';

const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' };
const T = Date.UTC(2026, 10, 28, 10, 0, 0);
const send = (at: number, external = 1) => ({ sender: alice, at, counts: { external, internal: 0, messages: 1 } });
const line = (at: number, external: number) => `${JSON.stringify([at, 'default', 'Mailbox', alice.identity, external, 0, 1])}\n`;

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'outgate-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens the journal as the server does on start, collecting what it reports. */
function open(dir: string): { store: SqliteStore; warnings: Array<{ fields: Record<string, unknown>; message: string }> } {
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const store = new SqliteStore(dir);
  store.openJournal(false, { warn: (fields, message) => warnings.push({ fields, message }) });
  return { store, warnings };
}

function externalTotal(dir: string): number {
  const s = new SqliteStore(dir);
  const row = s.db.raw.prepare('SELECT COALESCE(SUM(external), 0) AS e FROM sending_minutes').get() as { e: number };
  void s.close();
  return row.e;
}

test('a torn last line is a crash mid-write: dropped without a report', async (t) => {
  const dir = tmp(t);
  const a = open(dir);
  await a.store.recordSends([send(T, 2)], []);
  appendFileSync(join(dir, 'sends.0.journal'), line(T, 4).slice(0, 20));
  const b = open(dir); // "crash": a is never closed
  await b.store.close();
  assert.deepEqual(b.warnings, []);
  assert.equal(externalTotal(dir), 2);
});

test('a corrupt record is reported with file and offset, set aside, and the records around it are applied', async (t) => {
  const dir = tmp(t);
  const a = open(dir);
  await a.store.recordSends([send(T, 1)], []);
  await a.store.close();
  const file = join(dir, 'sends.0.journal');
  const badAt = statSync(file).size + line(T, 2).length;
  appendFileSync(file, line(T, 2) + 'not json at all\n' + line(T, 3).replace('"Mailbox"', '"Printer"') + line(T, 4));

  const b = open(dir);
  await b.store.close();
  assert.equal(externalTotal(dir), 1 + 2 + 4, 'the readable records are counted, the unreadable ones are not');
  assert.deepEqual(
    b.warnings.map((w) => [w.fields.file, w.fields.offset]),
    [
      [file, badAt],
      [file, badAt + 'not json at all\n'.length],
    ],
  );
  assert.equal(readFileSync(`${file}.corrupt`, 'utf8'), 'not json at all\n' + line(T, 3).replace('"Mailbox"', '"Printer"'));

  const c = open(dir);
  await c.store.close();
  assert.deepEqual(c.warnings, [], 'reported once: the position moved past the damage');
  assert.equal(externalTotal(dir), 7, 'nothing applied twice');
});

test('a journal cut shorter than the applied position replays nothing and loses no later send', async (t) => {
  const dir = tmp(t);
  const a = open(dir);
  await a.store.recordSends([send(T, 1), send(T + 1, 2), send(T + 2, 4)], []);
  await a.store.close(); // all applied: the stored position is the end of the file
  const file = join(dir, 'sends.0.journal');
  truncateSync(file, 30); // cut mid-line, well before the position

  const b = open(dir);
  assert.equal(b.warnings.length, 1);
  assert.deepEqual(
    { file: b.warnings[0]!.fields.file, size: b.warnings[0]!.fields.size, nextGeneration: b.warnings[0]!.fields.nextGeneration },
    { file, size: 30, nextGeneration: 1 },
  );
  assert.equal(externalTotal(dir), 7, 'what was applied is not applied again');
  // New sends after the damage, acknowledged, then a crash before they are applied.
  await b.store.recordSends([send(T + 3, 8), send(T + 4, 16)], []);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('sends.')).sort(), ['sends.0.journal.behind', 'sends.1.journal']);

  const c = open(dir); // b is never closed
  await c.store.close();
  assert.deepEqual(c.warnings, []);
  assert.equal(externalTotal(dir), 7 + 8 + 16, 'every acknowledged send counted once');
});

test('a journal file that went missing is handled like one cut short', async (t) => {
  const dir = tmp(t);
  const a = open(dir);
  await a.store.recordSends([send(T, 5)], []);
  await a.store.close();
  rmSync(join(dir, 'sends.0.journal'));
  const b = open(dir);
  assert.equal(b.warnings.length, 1);
  await b.store.recordSends([send(T + 1, 1)], []);
  const c = open(dir);
  await c.store.close();
  assert.equal(externalTotal(dir), 6);
  assert.equal(existsSync(join(dir, 'sends.0.journal.behind')), false, 'nothing to set aside');
});
