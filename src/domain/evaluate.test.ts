import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluate, reconcileTally, type CheckInput } from './evaluate.js';
import type { EffectiveLimits } from './policy.js';
import { replyLine } from './replies.js';
import { restrict } from './restriction.js';
import { SendingWindow } from './rolling-window.js';
import type { SenderRef } from './sender.js';
import { DEFAULT_SERVICE_LIMITS } from './service-limits.js';

const NOW = Date.UTC(2026, 10, 28, 15, 30);
const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' };
const limits = (over: Partial<EffectiveLimits> = {}): EffectiveLimits => ({
  externalPerHour: 500,
  internalPerHour: 1000,
  perDay: 1000,
  action: 'BlockUserForToday',
  policyName: 'Default',
  ...over,
});
const zero = { externalLastHour: 0, internalLastHour: 0, externalLast24h: 0, internalLast24h: 0, recipientsLast24h: 0, messagesLastMinute: 0 };
const input = (over: Partial<CheckInput>): CheckInput => ({
  stage: 'end',
  now: NOW,
  sender: alice,
  limits: limits(),
  service: DEFAULT_SERVICE_LIMITS,
  totals: zero,
  message: { external: 1, internal: 0 },
  restriction: undefined,
  ...over,
});

test('the N-th external recipient in the hour is admitted, the N+1-th refused with 5.1.8 and restricted', () => {
  const atLimit = evaluate(input({ totals: { ...zero, externalLastHour: 499, recipientsLast24h: 499 } }));
  assert.equal(atLimit.decision.kind, 'permit');
  assert.deepEqual(atLimit.admit, { external: 1, internal: 0, messages: 1 });

  // …CountToday: the rolling day's split, which here holds more than the hour.
  const over = evaluate(input({ totals: { ...zero, externalLastHour: 500, externalLast24h: 650, internalLast24h: 40, recipientsLast24h: 690 } }));
  assert.deepEqual(over.decision, { kind: 'refuse', reply: 'senderRestricted' });
  assert.equal(replyLine('senderRestricted'), '550 5.1.8 Access denied, bad outbound sender');
  assert.equal(over.admit, null);
  assert.equal(over.restrict?.restriction.action, 'BlockUserForToday');
  assert.equal(over.restrict?.restriction.expiresAt, Date.UTC(2026, 10, 29));
  assert.match(over.restrict!.restriction.reason, /^EmailSendingLimitExceeded;InternalRecipientCountToday=40;ExternalRecipientCountToday=650;ExceedingLimitType=External;Last MessagetraceId=;LastMessageRcptCount=1;RecipientLimitExternalPerHour=500;OutboundMailLast24Hours=690;/);
  assert.deepEqual(over.events.map((e) => e.type), ['SenderRestricted']);
});

test('a message is refused whole when all its recipients do not fit', () => {
  const v = evaluate(input({ totals: { ...zero, internalLastHour: 998, recipientsLast24h: 998 }, message: { external: 0, internal: 3 } }));
  assert.equal(v.decision.kind, 'refuse');
  assert.match(v.restrict!.restriction.reason, /ExceedingLimitType=Internal/);
});

test('the daily policy limit trips on the total of internal and external', () => {
  const v = evaluate(input({ totals: { ...zero, recipientsLast24h: 1000 }, message: { external: 0, internal: 1 } }));
  assert.match(v.restrict!.restriction.reason, /ExceedingLimitType=Daily;Last MessagetraceId=;LastMessageRcptCount=1;RecipientLimitPerDay=1000;/);
});

test('BlockUser restricts until an admin acts; Alert admits and raises an event once per message', () => {
  const block = evaluate(input({ limits: limits({ action: 'BlockUser' }), totals: { ...zero, externalLastHour: 500 } }));
  assert.equal(block.restrict?.restriction.expiresAt, null);

  const alertRcpt = evaluate(input({ stage: 'rcpt', limits: limits({ action: 'Alert' }), totals: { ...zero, externalLastHour: 500 } }));
  assert.deepEqual([alertRcpt.decision.kind, alertRcpt.events.length, alertRcpt.admit], ['permit', 0, null]);
  const alertEnd = evaluate(input({ limits: limits({ action: 'Alert' }), totals: { ...zero, externalLastHour: 500 } }));
  assert.equal(alertEnd.decision.kind, 'permit');
  assert.deepEqual(alertEnd.admit, { external: 1, internal: 0, messages: 1 });
  assert.deepEqual(alertEnd.events.map((e) => e.type), ['SendingLimitExceeded']);
});

test('a restricted sender is refused at every stage; a connector with 5.7.711', () => {
  const r = restrict(alice, { reason: 'x', policy: 'Default', action: 'BlockUser', now: NOW - 1000 }).restriction;
  for (const stage of ['rcpt', 'end'] as const) {
    assert.deepEqual(evaluate(input({ stage, restriction: r })).decision, { kind: 'refuse', reply: 'senderRestricted' });
  }
  const connector: SenderRef = { tenantId: 'default', type: 'Connector', identity: 'c1' };
  const cr = restrict(connector, { reason: 'x', policy: 'c', action: 'BlockUser', now: NOW - 1000 }).restriction;
  const v = evaluate(input({ sender: connector, restriction: cr }));
  assert.equal(replyLine((v.decision as { reply: 'connectorRestricted' }).reply), '550 5.7.711 Access denied, bad inbound connector. AS(2204)');
});

test('service limits: 500 recipients per message (5.5.3), 30 messages a minute (4xx), 10,000 a day (5.1.90)', () => {
  assert.equal(evaluate(input({ message: { external: 0, internal: 500 }, limits: limits({ internalPerHour: 10000, perDay: 10000 }) })).decision.kind, 'permit');
  const tooMany = evaluate(input({ message: { external: 0, internal: 501 } }));
  assert.deepEqual(tooMany.decision, { kind: 'refuse', reply: 'tooManyRecipients' });
  assert.equal(replyLine('tooManyRecipients'), '550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients');

  assert.equal(evaluate(input({ totals: { ...zero, messagesLastMinute: 29 } })).decision.kind, 'permit');
  const rate = evaluate(input({ totals: { ...zero, messagesLastMinute: 30 } }));
  assert.deepEqual([rate.decision.kind, rate.restrict], ['defer', null]);

  const big = limits({ perDay: 10000, externalPerHour: 10000 });
  assert.equal(evaluate(input({ limits: big, totals: { ...zero, recipientsLast24h: 9999 } })).decision.kind, 'permit');
  const day = evaluate(input({ limits: big, totals: { ...zero, recipientsLast24h: 10000 } }));
  assert.deepEqual([day.decision, day.restrict], [{ kind: 'refuse', reply: 'dailyRecipientLimit' }, null]);
  assert.equal(replyLine('dailyRecipientLimit'), "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients");
});

test('connectors are not held to the per-mailbox service limits', () => {
  const connector: SenderRef = { tenantId: 'default', type: 'Connector', identity: 'c1' };
  const v = evaluate(input({ sender: connector, limits: limits({ perDay: 50000, externalPerHour: 5000 }), totals: { ...zero, messagesLastMinute: 1000, recipientsLast24h: 20000 } }));
  assert.equal(v.decision.kind, 'permit');
});

test('reconcileTally trusts the MTA count and errs towards external', () => {
  assert.deepEqual(reconcileTally({ external: 2, internal: 1 }, 3), { external: 2, internal: 1 });
  assert.deepEqual(reconcileTally({ external: 2, internal: 2 }, 3), { external: 2, internal: 1 });
  assert.deepEqual(reconcileTally({ external: 0, internal: 1 }, 3), { external: 2, internal: 1 });
  assert.deepEqual(reconcileTally({ external: 1, internal: 0 }, 0), { external: 0, internal: 0 });
});

test('property: admitting only what evaluate admits never takes a window over its limit', () => {
  fc.assert(
    fc.property(
      fc.record({ ext: fc.integer({ min: 1, max: 50 }), int: fc.integer({ min: 1, max: 50 }), day: fc.integer({ min: 1, max: 80 }) }),
      fc.array(fc.record({ dt: fc.integer({ min: 0, max: 10 * 60_000 }), external: fc.nat(6), internal: fc.nat(6) }), { maxLength: 120 }),
      (l, sends) => {
        const w = new SendingWindow();
        const lim = limits({ externalPerHour: l.ext, internalPerHour: l.int, perDay: l.day, action: 'Alert' });
        const service = { ...DEFAULT_SERVICE_LIMITS, messagesPerMinute: 1_000_000 };
        let now = NOW;
        for (const s of sends) {
          now += s.dt;
          const totals = w.totals(now);
          const v = evaluate(input({ now, limits: lim, service, totals, message: s }));
          if (v.events.length === 0 && v.admit) w.add(now, v.admit);
          const t = w.totals(now);
          assert.ok(t.externalLastHour <= l.ext && t.internalLastHour <= l.int && t.recipientsLast24h <= l.day);
        }
      },
    ),
  );
});

test('a sender unblocked today from BlockUser is not restricted again before 00:00 UTC, only alerted', () => {
  const over = { totals: { ...zero, externalLastHour: 500, recipientsLast24h: 500 }, limits: limits({ action: 'BlockUser' }), reprieveUntil: Date.UTC(2026, 10, 29) };
  const rcpt = evaluate(input({ ...over, stage: 'rcpt' }));
  assert.deepEqual([rcpt.decision.kind, rcpt.restrict, rcpt.events], ['permit', null, []]);
  const end = evaluate(input(over));
  assert.deepEqual([end.decision.kind, end.restrict, end.admit], ['permit', null, { external: 1, internal: 0, messages: 1 }]);
  assert.deepEqual(end.events.map((e) => e.type), ['SendingLimitExceeded']);
  const nextDay = evaluate(input({ ...over, now: Date.UTC(2026, 10, 29) }));
  assert.equal(nextDay.restrict?.restriction.action, 'BlockUser', 'from 00:00 UTC the limit restricts again');
});
