import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendingWindow, type Counts, type WindowTotals } from '../../../domain/rolling-window.js';
import { Hold, SenderCounter } from './sender-counter.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);

/** xorshift32, seeded: the same sequence on every run. */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

test('the flat counter keeps the same windows as the domain SendingWindow, step for step', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed * 7919);
    const flat = new SenderCounter();
    const domain = new SendingWindow();
    let now = T;
    /** The domain window keeps message seconds unsorted after a clock step back (until they age out); this one sorts them. */
    let unsortedUntil = 0;
    // Restored buckets first, in any order, as a store hands them over.
    for (let i = r(4); i > 0; i--) {
      const b = { minute: Math.floor(now / 60_000) - r(1500), external: r(3), internal: r(2), messages: r(2) };
      flat.restore(b);
      domain.restore({ ...b });
    }
    for (let step = 0; step < 300; step++) {
      // Mostly forward (seconds to hours), sometimes a clock step backwards.
      const move = r(10);
      if (move === 0) unsortedUntil = Math.max(unsortedUntil, now + 60_000);
      now += move === 0 ? -r(120_000) : move < 6 ? r(20_000) : move < 9 ? r(30 * 60_000) : r(6 * 3_600_000);
      if (r(3) > 0) {
        const c: Counts = { external: r(4), internal: r(3), messages: r(2) };
        flat.add(now, c);
        domain.add(now, c);
      }
      const rate = (t: WindowTotals): WindowTotals => (now < unsortedUntil ? { ...t, messagesLastMinute: 0 } : t);
      assert.deepEqual(rate(flat.totals(now)), rate(domain.totals(now)), `seed ${seed}, step ${step}`);
      if (now >= unsortedUntil) assert.equal(flat.isEmpty(now), domain.isEmpty(now), `seed ${seed}, step ${step}: empty`);
    }
  }
});

test('a repeated commit of one of the last 8 messages is recognised, an older one is not', () => {
  const c = new SenderCounter();
  assert.equal(c.firstCommit('m0'), true);
  assert.equal(c.firstCommit('m0'), false);
  for (let i = 1; i < 9; i++) assert.equal(c.firstCommit(`m${i}`), true);
  assert.equal(c.firstCommit('m8'), false);
  assert.equal(c.firstCommit('m1'), false);
  assert.equal(c.firstCommit('m0'), true, 'forgotten after 8 newer ones');
  assert.ok(c.recentCommits().length <= 8);
});

test('a hold answers has() for every recipient it was given, past the size where it switches to a Set', () => {
  const hold = new Hold('m1', 0);
  const given: string[] = [];
  for (let i = 0; i < 40; i++) {
    const r = `r${i}@example.com`;
    assert.equal(hold.has(r), false, `${r} before it is added`);
    hold.add(r);
    given.push(r);
    for (const g of given) assert.equal(hold.has(g), true, `${g} after ${i + 1} added`);
  }
  assert.equal(hold.has('other@example.com'), false);
});
