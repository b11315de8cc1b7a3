import assert from 'node:assert/strict';
import { test } from 'node:test';
import { senderKey } from '../../../domain/sender.js';
import { SenderFilter } from './sender-filter.js';

const key = (i: number): string => senderKey({ tenantId: `t${i % 7}`, type: 'Mailbox', identity: `user${i}@example.com` });

test('a sender filter never misses a key it was given, and rarely claims one it was not', () => {
  const n = 100_000;
  const f = SenderFilter.forKeys(n);
  for (let i = 0; i < n; i++) f.add(key(i));
  for (let i = 0; i < n; i++) assert.equal(f.mightHave(key(i)), true, key(i));
  let claimed = 0;
  for (let i = n; i < 2 * n; i++) if (f.mightHave(key(i))) claimed++;
  assert.ok(claimed / n < 0.01, `${claimed} of ${n} absent keys claimed at capacity`);
  assert.ok(f.capacity >= n);
});

test('a sender filter is carried as its words and merged only with one of its size', () => {
  const a = SenderFilter.forKeys(1_000);
  a.add(key(1));
  const copy = SenderFilter.fromWords(a.words.slice());
  assert.equal(copy.mightHave(key(1)), true);
  const b = SenderFilter.forKeys(1_000);
  b.add(key(2));
  copy.addAll(b);
  assert.equal(copy.mightHave(key(2)), true);
  assert.throws(() => SenderFilter.fromWords(new Uint32Array(3)), /power of two/);
  assert.throws(() => copy.addAll(SenderFilter.forKeys(1_000_000)), /different sizes/);
  assert.equal(SenderFilter.forKeys(0).mightHave(key(9)), false, 'empty: nothing claimed');
});
