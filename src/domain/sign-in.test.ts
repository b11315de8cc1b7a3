import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sessionLive, throttleWait } from './sign-in.js';

const T = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

test('a session ends after its idle timeout, and after its absolute timeout however busy', () => {
  assert.equal(sessionLive({ createdAt: 0, lastSeenAt: 0 }, T, T.idleMs - 1), true);
  assert.equal(sessionLive({ createdAt: 0, lastSeenAt: 0 }, T, T.idleMs), false);
  assert.equal(sessionLive({ createdAt: 0, lastSeenAt: T.absoluteMs - 1000 }, T, T.absoluteMs - 1), true);
  assert.equal(sessionLive({ createdAt: 0, lastSeenAt: T.absoluteMs - 1000 }, T, T.absoluteMs), false);
});

test('throttling: max failures per rolling window, then a wait until the oldest leaves it', () => {
  const rule = { max: 3, windowMs: 1000 };
  assert.equal(throttleWait([100, 200], rule, 300), 0);
  assert.equal(throttleWait([100, 200, 300], rule, 300), 800);
  assert.equal(throttleWait([100, 200, 300], rule, 1100), 0);
  assert.equal(throttleWait([100, 200, 300, 400], rule, 1100), 100, 'failures 200, 300, 400 are still in the window');
});

test('property: after waiting what throttleWait says, the attempt is allowed', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 30 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 12_000 }), (failures, max, now) => {
      const rule = { max, windowMs: 2000 };
      const past = failures.filter((f) => f <= now);
      const wait = throttleWait(past, rule, now);
      assert.ok(wait >= 0);
      assert.equal(throttleWait(past, rule, now + wait), 0);
      if (wait > 0) assert.ok(throttleWait(past, rule, now + wait - 1) > 0);
    }),
  );
});
