// The early warning (docs/spec.md §5 "Suspicious email sending patterns detected"): an admitted message that
// brings a sender to a share of a limit, without going over it, raises SuspiciousSending.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, nearLimit, type CheckInput } from './evaluate.js';
import { DEFAULT_SERVICE_LIMITS } from './service-limits.js';

const limits = { externalPerHour: 10, internalPerHour: 100, perDay: 1000, action: 'BlockUserForToday' as const, policyName: 'Default' };
const zero = { externalLastHour: 0, internalLastHour: 0, externalLast24h: 0, internalLast24h: 0, recipientsLast24h: 0, messagesLastMinute: 0 };
const input = (over: Partial<CheckInput>): CheckInput => ({
  stage: 'end',
  now: Date.UTC(2026, 10, 28, 9),
  sender: { tenantId: 'default', type: 'Mailbox', identity: 'a@b.example' },
  limits,
  service: DEFAULT_SERVICE_LIMITS,
  totals: zero,
  message: { external: 1, internal: 0 },
  restriction: undefined,
  earlyWarningShare: 0.8,
  ...over,
});

test('reaching 80% of a limit while staying below it raises the early warning with the limit and counts', () => {
  // The day's split (not the hour's) fills the …CountToday keys.
  const v = evaluate(input({ totals: { ...zero, externalLastHour: 7, externalLast24h: 12, internalLast24h: 3, recipientsLast24h: 15 } }));
  assert.equal(v.decision.kind, 'permit');
  assert.deepEqual(v.admit, { external: 1, internal: 0, messages: 1 });
  assert.deepEqual(v.events.map((e) => e.type), ['SuspiciousSending']);
  assert.match((v.events[0] as { reason: string }).reason, /^SuspiciousSending;EarlyWarningShare=80%;InternalRecipientCountToday=3;ExternalRecipientCountToday=12;ExceedingLimitType=External;Last MessagetraceId=;LastMessageRcptCount=1;RecipientLimitExternalPerHour=10;OutboundMailLast24Hours=15;/);
});

test('no warning below the share, at the limit itself, at RCPT, or when turned off', () => {
  assert.deepEqual(evaluate(input({ totals: { ...zero, externalLastHour: 6 } })).events, []);
  assert.deepEqual(evaluate(input({ totals: { ...zero, externalLastHour: 9 } })).events, [], 'at the limit: the next one restricts');
  assert.deepEqual(evaluate(input({ stage: 'rcpt', totals: { ...zero, externalLastHour: 7 } })).events, []);
  assert.deepEqual(evaluate(input({ earlyWarningShare: undefined, totals: { ...zero, externalLastHour: 7 } })).events, []);
  assert.equal(nearLimit(zero, { external: 1, internal: 0 }, limits, 0), null);
});

test('internal and daily limits warn too', () => {
  assert.equal(nearLimit({ ...zero, internalLastHour: 80 }, { external: 0, internal: 1 }, limits, 0.8)?.limit, 'RecipientLimitInternalPerHour');
  assert.equal(nearLimit({ ...zero, recipientsLast24h: 850 }, { external: 0, internal: 1 }, limits, 0.8)?.limit, 'RecipientLimitPerDay');
});
