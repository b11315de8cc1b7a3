import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinsAlert, retryDelayMs, triggerOf, utcDay, withinDailyLimit } from './alert.js';

test('audit records map to the alert kinds they raise; others raise nothing', () => {
  assert.deepEqual(triggerOf('SenderRestricted', 'Mailbox:a@b.example', { Reason: 'r' }), { event: 'UserRestricted', entityType: 'Mailbox', entity: 'a@b.example', reason: 'r' });
  assert.deepEqual(triggerOf('SenderRestricted', 'Connector:c-1', { Reason: 'r' })?.event, 'ConnectorRestricted');
  assert.deepEqual(triggerOf('SenderRestricted', 'Tenant:t-1', { Reason: 'r' }), { event: 'TenantRestricted', entityType: 'Tenant', entity: 't-1', reason: 'r' });
  assert.deepEqual(triggerOf('SuspiciousSending', 'Tenant:t-1', null)?.event, 'SuspiciousTenantSending');
  assert.deepEqual(triggerOf('SendingLimitExceeded', 'Mailbox:a@b.example', { Reason: 'r' })?.event, 'SendingLimitExceeded');
  assert.deepEqual(triggerOf('ServiceLimitReached', 'Mailbox:a@b.example', { Limit: 'RecipientsPerDay', Reason: 'r' })?.event, 'SendingLimitExceeded');
  assert.deepEqual(triggerOf('SuspiciousSending', 'Mailbox:a@b.example', null), { event: 'SuspiciousSending', entityType: 'Mailbox', entity: 'a@b.example', reason: '' });
  assert.equal(triggerOf('Remove-BlockedSenderAddress', 'Mailbox:a@b.example', {}), null);
  assert.equal(triggerOf('SenderRestricted', 'AdminAuditLogConfig', {}), null);
});

test('repeat events within the aggregation window of an open alert join it; resolved or later ones do not', () => {
  const open = { status: 'New' as const, firstEventAt: 0 };
  assert.equal(joinsAlert(open, 14 * 60_000 + 59_999, 15), true);
  assert.equal(joinsAlert(open, 15 * 60_000, 15), false);
  assert.equal(joinsAlert({ ...open, status: 'InProgress' }, 1, 15), true);
  assert.equal(joinsAlert({ ...open, status: 'Resolved' }, 1, 15), false);
});

test('the daily limit counts per UTC day; no limit never suppresses', () => {
  assert.equal(utcDay(Date.UTC(2026, 10, 28, 23, 59)), utcDay(Date.UTC(2026, 10, 28, 0, 0)));
  assert.notEqual(utcDay(Date.UTC(2026, 10, 29)), utcDay(Date.UTC(2026, 10, 28, 23, 59)));
  assert.equal(withinDailyLimit(0, 1), true);
  assert.equal(withinDailyLimit(1, 1), false);
  assert.equal(withinDailyLimit(1_000_000, null), true);
});

test('retries back off exponentially, at most an hour apart', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelayMs(n)), [15_000, 30_000, 60_000, 120_000]);
  assert.equal(retryDelayMs(40), 3_600_000);
});
