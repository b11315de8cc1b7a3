// Fuzzing the running policy server: mutated end-of-message requests over real connections. Each is
// answered or refused (no reply); a refused one is neither decided nor counted, and the server serves on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HANG_UP, PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { startTestServer, type TestServer } from './support/outgate.js';

const BASE: Array<[string, string]> = [
  ['request', 'smtpd_access_policy'],
  ['protocol_state', 'END-OF-MESSAGE'],
  ['sasl_username', 'fuzz@outgate.test'],
  ['sender', 'fuzz@outgate.test'],
  ['recipient', 'x@example.com'],
  ['recipient_count', '1'],
  ['instance', 'f1'],
];

// Anything but a newline (the codec's own fuzz covers how blocks split): one block, one answer.
const hostile = fc.constantFrom('\r', '\u0000', '\t', '\u001b', '\u007f', '=', '-1', '1e3', ' ', 'ü', '\u200e', '@');
const value = fc.string({
  unit: fc.oneof({ arbitrary: fc.constantFrom(...'az09@.-'.split('')), weight: 4 }, { arbitrary: hostile, weight: 1 }),
  maxLength: 24,
});
const mutation = fc.oneof(
  fc.tuple(fc.nat(BASE.length - 1), value).map(
    ([i, v]) =>
      (lines: string[]) =>
        lines.map((l, j) => (j === i ? `${l.slice(0, l.indexOf('=') + 1)}${v}` : l)),
  ),
  fc.tuple(fc.nat(BASE.length), value).map(([i, v]) => (lines: string[]) => [...lines.slice(0, i), v, ...lines.slice(i)]),
  fc.nat(BASE.length - 1).map((i) => (lines: string[]) => lines.filter((_, j) => j !== i)),
);

async function decisions(s: TestServer): Promise<number> {
  const text = await s.metrics.registry.metrics();
  return [...text.matchAll(/^outgate_policy_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function messagesCounted(s: TestServer): Promise<number> {
  await s.flushSends();
  const db = new Database(join(s.dataDir, 'outgate.db'), { readonly: true });
  try {
    return db.prepare('SELECT COALESCE(SUM(messages), 0) FROM sending_minutes').pluck().get() as number;
  } finally {
    db.close();
  }
}

test('property: a mutated request is answered, or refused without a decision and without a count', { timeout: 20_000 }, async (t) => {
  const s = await startTestServer({ 'serviceLimits.messagesPerMinute': 1_000_000 });
  t.after(() => s.stop());
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
      const lines = mutations.reduce(
        (ls, m) => m(ls),
        BASE.map(([k, v]) => `${k}=${v}`),
      );
      const before = [await decisions(s), await messagesCounted(s)];
      const c = await PolicyClient.open(s.policyPort);
      const reply = await c.raw(`${lines.join('\n')}\n\n`);
      c.close();
      const after = [await decisions(s), await messagesCounted(s)];
      if (reply === HANG_UP) {
        refused++;
        assert.deepEqual(after, before, `refused yet decided or counted: ${JSON.stringify(lines)}`);
      } else {
        assert.match(reply, /^action=/);
        assert.equal(after[0], before[0]! + 1, 'one decision per answered request');
      }
    }),
    { numRuns: 150 },
  );
  assert.ok(refused > 10, `the mutations reach the refusals (${refused})`);
  const c = await PolicyClient.open(s.policyPort);
  t.after(() => c.close());
  assert.equal(
    (await sendMessage(c, { login: 'after@outgate.test', to: ['y@example.com'] })).end,
    'action=DUNNO',
    'and the server serves on',
  );
});
