import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockFromEnv, systemClock, TEST_NOW_ENV } from './clock.js';

test('without OUTGATE_TEST_NOW the process reads the system clock', () => {
  assert.equal(clockFromEnv({}), systemClock);
  assert.equal(clockFromEnv({ [TEST_NOW_ENV]: '' }), systemClock);
});

test('OUTGATE_TEST_NOW starts the clock at an ISO instant or epoch ms, and it runs forward from there', () => {
  const start = Date.UTC(2026, 10, 28, 23, 59, 59, 990);
  for (const raw of [new Date(start).toISOString(), String(start)]) {
    const clock = clockFromEnv({ [TEST_NOW_ENV]: raw });
    const first = clock.now();
    assert.ok(first >= start && first < start + 1_000, raw);
    assert.ok(clock.now() >= first, 'never runs backwards');
  }
});

test('a value that is not a time stops start-up with the configuration error', () => {
  assert.throws(() => clockFromEnv({ [TEST_NOW_ENV]: 'tomorrow-ish' }), {
    code: 'OG_ERR_CONFIG_INVALID',
    message: /OUTGATE_TEST_NOW=tomorrow-ish is not an ISO 8601 instant/,
  });
});
