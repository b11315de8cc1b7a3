import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unusualVolume } from './unusual-volume.js';

const H = 3_600_000;
const now = 1000 * H + 30 * 60_000;
const rule = { factor: 10, minRecipients: 100 };
const quiet = Array.from({ length: 48 }, (_, i) => ({ hour: 1000 - 48 + i, external: 5, internal: 3 }));

test('a sender far above its busiest hour of the last days is unusual', () => {
  assert.deepEqual(unusualVolume(120, quiet, now, rule), { usualMaxPerHour: 8 });
});

test('not unusual: within the factor, under the minimum, too little history, or turned off', () => {
  assert.equal(unusualVolume(79, quiet, now, rule), null);
  assert.equal(unusualVolume(99, quiet.map((h) => ({ ...h, external: 0, internal: 1 })), now, rule), null);
  assert.equal(unusualVolume(500, quiet.slice(-20), now, rule), null, 'less than a day of history');
  assert.equal(unusualVolume(500, [], now, rule), null);
  assert.equal(unusualVolume(500, quiet, now, { ...rule, factor: 0 }), null);
});

test('the hours being judged (the rolling last hour) are not part of the baseline', () => {
  const burst = [...quiet, { hour: 999, external: 300, internal: 0 }, { hour: 1000, external: 300, internal: 0 }];
  assert.deepEqual(unusualVolume(600, burst, now, rule), { usualMaxPerHour: 8 });
});
