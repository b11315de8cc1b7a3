// The content half of a message's verdict at its end: external automatic forwards refused under
// AutoForwardingMode Off/Automatic (internal ones pass, On lets all pass, connectors are not users),
// and the BCC copy of suspicious messages that still go out (docs/spec.md §3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, type CheckInput } from './evaluate.js';
import { effectiveLimits, type EffectiveLimits } from './policy.js';
import { replyLine } from './replies.js';
import type { SenderRef } from './sender.js';
import { admitsSession, DEFAULT_SERVICE_LIMITS } from './service-limits.js';

const NOW = Date.UTC(2026, 10, 28, 15, 30);
const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' };
const zero = { externalLastHour: 0, internalLastHour: 0, externalLast24h: 0, internalLast24h: 0, recipientsLast24h: 0, messagesLastMinute: 0 };
const limits = (over: Partial<EffectiveLimits> = {}): EffectiveLimits => ({ externalPerHour: 10, internalPerHour: 10, perDay: 100, action: 'BlockUserForToday', policyName: 'Default', autoForwarding: 'Automatic', ...over });
const input = (over: Partial<CheckInput>): CheckInput => ({ stage: 'end', now: NOW, sender: alice, limits: limits(), service: DEFAULT_SERVICE_LIMITS, totals: zero, message: { external: 1, internal: 0 }, restriction: undefined, ...over });
const FWD = 'Auto-Submitted: auto-forwarded';

test('an external automatic forward is refused with 5.7.520 under Off and Automatic, and raises SuspiciousForwarding', () => {
  for (const mode of ['Off', 'Automatic'] as const) {
    const v = evaluate(input({ limits: limits({ autoForwarding: mode }), forwarded: FWD, messageId: 'Q1' }));
    assert.deepEqual(v.decision, { kind: 'refuse', reply: 'externalForwardingBlocked' });
    assert.equal(v.admit, null, 'not counted');
    assert.equal(v.restrict, null, 'not a restriction');
    assert.equal(v.events[0]?.type, 'SuspiciousForwarding');
    assert.equal(
      (v.events[0] as { reason: string }).reason,
      `ExternalForwardingBlocked;AutoForwardingMode=${mode};ExternalRecipients=1;ForwardedBy=${FWD};Last MessagetraceId=Q1;Policy=Default;`,
    );
  }
  assert.equal(
    replyLine('externalForwardingBlocked'),
    '550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)',
  );
});

test('internal forwards, forwards under On, unmarked mail, RCPT and connectors pass', () => {
  const permitted = (over: Partial<CheckInput>) => assert.equal(evaluate(input(over)).decision.kind, 'permit', JSON.stringify(over));
  permitted({ forwarded: FWD, message: { external: 0, internal: 3 } });
  permitted({ forwarded: FWD, limits: limits({ autoForwarding: 'On' }) });
  permitted({});
  permitted({ forwarded: FWD, stage: 'rcpt' });
  permitted({ forwarded: FWD, sender: { tenantId: 'default', type: 'Connector', identity: 'c1' }, limits: limits({ autoForwarding: undefined }) });
});

test('the default policy with BCC on copies admitted messages over a limit (Alert) or at the early warning, and nothing else', () => {
  const bcc = limits({ bccSuspicious: ['sec@outgate.test'], action: 'Alert' });
  assert.deepEqual(evaluate(input({ limits: bcc, totals: { ...zero, externalLastHour: 10, recipientsLast24h: 10 } })).copyTo, ['sec@outgate.test']);
  assert.deepEqual(evaluate(input({ limits: bcc, totals: { ...zero, externalLastHour: 8, recipientsLast24h: 8 }, earlyWarningShare: 0.8 })).copyTo, ['sec@outgate.test']);
  assert.equal(evaluate(input({ limits: bcc })).copyTo, undefined, 'an ordinary message');
  const blocked = evaluate(input({ limits: { ...bcc, action: 'BlockUser' }, totals: { ...zero, externalLastHour: 10, recipientsLast24h: 10 } }));
  assert.equal(blocked.decision.kind, 'refuse');
  assert.equal(blocked.copyTo, undefined, 'a refused message goes nowhere');

  const settings = { Name: 'P', RecipientLimitExternalPerHour: 0, RecipientLimitInternalPerHour: 0, RecipientLimitPerDay: 0, ActionWhenThresholdReached: 'Alert' as const, BccSuspiciousOutboundMail: true, BccSuspiciousOutboundAdditionalRecipients: ['sec@outgate.test'] };
  assert.deepEqual(effectiveLimits({ ...settings, IsDefault: true }, DEFAULT_SERVICE_LIMITS).bccSuspicious, ['sec@outgate.test']);
  assert.equal(effectiveLimits({ ...settings, IsDefault: false }, DEFAULT_SERVICE_LIMITS).bccSuspicious, undefined, 'only the default policy');
  assert.equal(effectiveLimits({ ...settings, IsDefault: true, BccSuspiciousOutboundMail: false }, DEFAULT_SERVICE_LIMITS).bccSuspicious, undefined);
  assert.equal(effectiveLimits(settings, DEFAULT_SERVICE_LIMITS).autoForwarding, 'Automatic', 'the default mode');
});

test('SMTP AUTH sessions: the limit-th is admitted, one more is not', () => {
  const s = { ...DEFAULT_SERVICE_LIMITS, concurrentConnections: 3 };
  assert.ok(admitsSession(2, s));
  assert.ok(!admitsSession(3, s));
  assert.equal(replyLine('concurrentConnections'), '432 4.3.2 Concurrent connections limit exceeded.');
});
