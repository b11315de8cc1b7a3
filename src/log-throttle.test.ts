import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogThrottle } from './log-throttle.js';

test('the first occurrence is logged, then one line per interval with the count it stands for', () => {
  let t = 0;
  const throttle = new LogThrottle(10_000, () => t);
  const logged: number[] = [];
  // One occurrence every 200 ms for 25 s: 1 + 2 summaries, not 125 lines.
  for (; t < 25_000; t += 200) {
    const n = throttle.hit();
    if (n > 0) logged.push(n);
  }
  assert.deepEqual(logged, [1, 50, 50]);
  assert.equal(throttle.drain(), 24, 'the occurrences since the last line');
  assert.equal(throttle.hit(), 1, 'after a drain the next occurrence is logged at once');
});
