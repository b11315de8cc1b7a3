import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SYSTEM } from '../domain/events.js';
import { canonicalJson, chain, GENESIS_HASH, verifyChain, type AuditEntry, type AuditRecord } from './audit.js';

const entry = (i: number, after: unknown = { n: i }): AuditEntry => ({
  at: 1_795_000_000_000 + i,
  tenantId: 'default',
  actor: i % 2 ? SYSTEM : { name: 'root@host', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null },
  operation: i % 2 ? 'SenderRestricted' : 'Set-HostedOutboundSpamFilterPolicy',
  target: `t${i}`,
  before: null,
  after,
  result: 'Succeeded',
});

function build(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const r = chain(entry(i), i, prev);
    out.push(r);
    prev = r.hash;
  }
  return out;
}
const headOf = (rs: AuditRecord[]) => ({ seq: rs.at(-1)?.seq ?? 0, hash: rs.at(-1)?.hash ?? GENESIS_HASH });

test('an intact chain verifies; an empty one too', () => {
  const rs = build(5);
  assert.deepEqual(verifyChain(rs, headOf(rs)), { ok: true, records: 5, head: rs[4]!.hash });
  assert.deepEqual(verifyChain([], { seq: 0, hash: GENESIS_HASH }), { ok: true, records: 0, head: GENESIS_HASH });
});

test('an edited, removed, reordered or cut record is found, and the first broken one is named', () => {
  const rs = build(6);
  const head = headOf(rs);
  const edited = rs.map((r) => (r.seq === 3 ? { ...r, after: '{"n":999}' } : r));
  assert.deepEqual(verifyChain(edited, head), { ok: false, records: 3, brokenAt: 3, reason: 'its content does not match its hash (edited)' });
  const removed = rs.filter((r) => r.seq !== 4);
  assert.equal((verifyChain(removed, head) as { brokenAt: number }).brokenAt, 5);
  const swapped = [rs[0]!, rs[2]!, rs[1]!, ...rs.slice(3)];
  assert.equal((verifyChain(swapped, head) as { brokenAt: number }).brokenAt, 3);
  const cut = rs.slice(0, 4);
  assert.match((verifyChain(cut, head) as { reason: string }).reason, /ends at record 4 but 6 were written/);
  // Rewriting a record and re-hashing it still breaks the link from the next one.
  const forged = chain(entry(3, { n: 'forged' }), 3, rs[1]!.hash);
  const relinked = rs.map((r) => (r.seq === 3 ? forged : r));
  assert.equal((verifyChain(relinked, head) as { brokenAt: number }).brokenAt, 4);
});

test('property: canonical JSON does not depend on key order', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (o) => {
      const reversed = Object.fromEntries(Object.entries(o).reverse());
      assert.equal(canonicalJson({ a: o, b: [o] }), canonicalJson({ b: [reversed], a: reversed }));
    }),
  );
});
