import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isActive, isExpired, nextUtcMidnight, release, reprieveUntil, restrict } from './restriction.js';
import { SYSTEM, type Actor } from './events.js';
import type { SenderRef } from './sender.js';

const ROOT: Actor = { name: 'root@host', role: 'Global Administrator', source: 'cli', ip: null, tenantId: null };

const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' };

test('BlockUserForToday lifts at 00:00 UTC the next day, not a moment before', () => {
  const now = Date.UTC(2026, 11, 31, 23, 59, 59, 999);
  const { restriction: r } = restrict(alice, { reason: 'r', policy: 'Default', action: 'BlockUserForToday', now });
  assert.equal(r.expiresAt, Date.UTC(2027, 0, 1));
  assert.ok(isActive(r, Date.UTC(2027, 0, 1) - 1));
  assert.ok(!isActive(r, Date.UTC(2027, 0, 1)));
  assert.ok(isExpired(r, Date.UTC(2027, 0, 1)));
  const t = release(r, { how: 'Expired', actor: SYSTEM, reason: 'expired', now: Date.UTC(2027, 0, 1, 0, 0, 5) })!;
  assert.equal(t.history.at, Date.UTC(2027, 0, 1), 'recorded at its expiry, not when the sweeper ran');
  assert.equal(t.restriction.status, 'Released');
});

test('BlockUser stays until an admin unblocks; releasing twice does nothing', () => {
  const { restriction: r } = restrict(alice, { reason: 'r', policy: 'Default', action: 'BlockUser', now: 0 });
  assert.ok(isActive(r, Number.MAX_SAFE_INTEGER));
  const t = release(r, { how: 'Unblocked', actor: ROOT, reason: 'password reset', now: 5 })!;
  assert.deepEqual([t.event.type, t.history.event, t.history.actor], ['SenderReleased', 'Unblocked', 'root@host']);
  assert.equal(release(t.restriction, { how: 'Unblocked', actor: ROOT, reason: 'y', now: 6 }), undefined);
});

test('property: next UTC midnight is within (0, 24h] ahead and on a day boundary', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (now) => {
      const m = nextUtcMidnight(now);
      assert.ok(m > now && m - now <= 86_400_000 && m % 86_400_000 === 0);
    }),
  );
});

test('a mailbox unblocked from BlockUser is reprieved until 00:00 UTC after the unblock; nothing else is', () => {
  const now = Date.UTC(2026, 10, 28, 15, 0);
  const blockUser = restrict(alice, { reason: 'r', policy: 'Default', action: 'BlockUser', now }).restriction;
  const unblocked = release(blockUser, { how: 'Unblocked', actor: ROOT, reason: 'reset', now: now + 1000 })!.restriction;
  assert.equal(reprieveUntil(unblocked), Date.UTC(2026, 10, 29));
  assert.equal(reprieveUntil(blockUser), undefined, 'still restricted');
  assert.equal(reprieveUntil(undefined), undefined);
  const today = restrict(alice, { reason: 'r', policy: 'Default', action: 'BlockUserForToday', now }).restriction;
  assert.equal(reprieveUntil(release(today, { how: 'Unblocked', actor: ROOT, reason: 'reset', now })!.restriction), undefined);
  const connector = restrict({ ...alice, type: 'Connector', identity: 'c1' }, { reason: 'r', policy: 'c', action: 'BlockUser', now }).restriction;
  assert.equal(reprieveUntil(release(connector, { how: 'Unblocked', actor: ROOT, reason: 'reset', now })!.restriction), undefined);
});
