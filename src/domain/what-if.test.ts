import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EffectiveLimits } from './policy.js';
import { replay } from './what-if.js';

const limits = (action: EffectiveLimits['action']): EffectiveLimits => ({ externalPerHour: 10, internalPerHour: 20, perDay: 50, action, policyName: 'P' });
const D = 24; // hours per day; hour 0 is a midnight UTC

test('within every limit: no hit', () => {
  const hours = Array.from({ length: 48 }, (_, i) => ({ hour: i, external: 2, internal: 0 }));
  assert.deepEqual(replay(hours, limits('BlockUserForToday'), 0, 47), []);
});

test('an hour over the external limit is restricted in that hour, and BlockUserForToday comes back next day', () => {
  const hours = [
    { hour: 5, external: 11, internal: 0 },
    { hour: 6, external: 30, internal: 0 },
    { hour: D + 2, external: 12, internal: 0 },
  ];
  const hits = replay(hours, limits('BlockUserForToday'), 0, 2 * D);
  assert.deepEqual(hits.map((h) => [h.at / 3_600_000, h.limit, h.count, h.threshold, h.outcome]), [
    [5, 'RecipientLimitExternalPerHour', 11, 10, 'Restricted'],
    [D + 2, 'RecipientLimitExternalPerHour', 12, 10, 'Restricted'],
  ]);
});

test('the day limit sums the last 24 hours, and after a block counts only what came after it', () => {
  const hours = Array.from({ length: 2 * D }, (_, i) => ({ hour: i, external: 4, internal: 0 }));
  const hits = replay(hours, limits('BlockUserForToday'), 0, 2 * D - 1);
  // 4 per hour: the 13th hour makes 52 > 50; on day 2 counting restarts at midnight, so again at hour 12.
  assert.deepEqual(hits.map((h) => [h.at / 3_600_000, h.limit, h.count]), [
    [12, 'RecipientLimitPerDay', 52],
    [D + 12, 'RecipientLimitPerDay', 52],
  ]);
});

test('BlockUser stops the replay at the first hit; Alert records one hit per limit per day and goes on', () => {
  const hours = Array.from({ length: 2 * D }, (_, i) => ({ hour: i, external: 11, internal: 0 }));
  assert.equal(replay(hours, limits('BlockUser'), 0, 2 * D - 1).length, 1);
  const alerts = replay(hours, limits('Alert'), 0, 2 * D - 1);
  assert.deepEqual(alerts.map((h) => [h.at / 3_600_000, h.limit, h.outcome]), [
    [0, 'RecipientLimitExternalPerHour', 'Alert'],
    [D, 'RecipientLimitExternalPerHour', 'Alert'],
  ]);
});

test('hours before the replay starts still count toward the first day', () => {
  const hours = [{ hour: 100, external: 0, internal: 20 }, { hour: 110, external: 0, internal: 20 }, { hour: 120, external: 0, internal: 11 }];
  assert.deepEqual(replay(hours, limits('BlockUserForToday'), 120, 130).map((h) => h.limit), ['RecipientLimitPerDay']);
});
