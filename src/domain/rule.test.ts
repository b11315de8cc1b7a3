import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, effectiveLimits, validatePolicySettings, type OutboundSpamPolicy } from './policy.js';
import { placeRule, ruleMatches, selectPolicy, type OutboundSpamRule } from './rule.js';
import { DEFAULT_SERVICE_LIMITS } from './service-limits.js';

const policy = (Name: string, IsDefault = false, over: Partial<OutboundSpamPolicy> = {}): OutboundSpamPolicy => ({
  Id: Name, TenantId: 't', Name, IsDefault, ...DEFAULT_SETTINGS, WhenCreatedUTC: '', WhenChangedUTC: '', ...over,
});
const rule = (Name: string, Priority: number, over: Partial<OutboundSpamRule>): OutboundSpamRule => ({
  Id: Name, TenantId: 't', Name, HostedOutboundSpamFilterPolicy: Name, Priority, State: 'Enabled', From: [], FromMemberOf: [],
  SenderDomainIs: [], ExceptIfFrom: [], ExceptIfFromMemberOf: [], ExceptIfSenderDomainIs: [], Comments: '', WhenCreatedUTC: '', WhenChangedUTC: '',
  ...over,
});

test('conditions: values OR, conditions AND, exceptions OR; subdomains match', () => {
  const r = rule('r', 0, { SenderDomainIs: ['contoso.com'], FromMemberOf: ['sales@contoso.com'], ExceptIfFrom: ['boss@eu.contoso.com'] });
  const groups = (a: string) => new Set(a.startsWith('s') || a.startsWith('boss') ? ['sales@contoso.com'] : []);
  assert.ok(ruleMatches(r, 'sam@contoso.com', groups));
  assert.ok(ruleMatches(r, 'sue@eu.contoso.com', groups), 'subdomain');
  assert.ok(!ruleMatches(r, 'tom@contoso.com', groups), 'not in the group');
  assert.ok(!ruleMatches(r, 'sam@fabrikam.com', groups), 'wrong domain');
  assert.ok(!ruleMatches(r, 'boss@eu.contoso.com', groups), 'excepted');
});

test('first enabled matching rule by priority wins; else the default policy', () => {
  const policies = new Map([['strict', policy('strict')], ['loose', policy('loose')]]);
  const def = policy('Default', true);
  const rules = [
    rule('loose', 1, { SenderDomainIs: ['contoso.com'] }),
    rule('strict', 0, { From: ['ceo@contoso.com'] }),
  ];
  assert.equal(selectPolicy(rules, policies, def, 'ceo@contoso.com').Name, 'strict');
  assert.equal(selectPolicy(rules, policies, def, 'ann@contoso.com').Name, 'loose');
  assert.equal(selectPolicy(rules, policies, def, 'ann@fabrikam.com').Name, 'Default');
  assert.equal(selectPolicy([{ ...rules[1]!, State: 'Disabled' }, rules[0]!], policies, def, 'ceo@contoso.com').Name, 'loose');
  assert.equal(selectPolicy(rules, policies, def, undefined).Name, 'Default', 'null sender');
});

test('placing a rule at a taken priority shifts the others down, keeping 0..n-1', () => {
  const order = placeRule([{ Id: 'a', Priority: 0 }, { Id: 'b', Priority: 1 }, { Id: 'c', Priority: 2 }], 'n', 1);
  assert.deepEqual([...order.entries()], [['a', 0], ['n', 1], ['b', 2], ['c', 3]]);
  assert.deepEqual([...placeRule([{ Id: 'a', Priority: 0 }], 'n').entries()], [['a', 0], ['n', 1]]);
});

test('settings are validated with the field named; 0 means the service default', () => {
  assert.throws(() => validatePolicySettings({ RecipientLimitPerDay: 10001 }), /RecipientLimitPerDay must be a whole number from 0 to 10000/);
  assert.throws(() => validatePolicySettings({ RecipientLimitExternalPerHour: -1 }), /RecipientLimitExternalPerHour/);
  assert.throws(() => validatePolicySettings({ ActionWhenThresholdReached: 'Explode' }), /ActionWhenThresholdReached must be one of BlockUserForToday, BlockUser, Alert/);
  assert.deepEqual(validatePolicySettings({ ActionWhenThresholdReached: 'blockuser', RecipientLimitPerDay: '10000' }), { ActionWhenThresholdReached: 'BlockUser', RecipientLimitPerDay: 10000 });
  const l = effectiveLimits(policy('p', false, { RecipientLimitInternalPerHour: 7 }), DEFAULT_SERVICE_LIMITS);
  assert.deepEqual([l.externalPerHour, l.internalPerHour, l.perDay], [500, 7, 1000]);
});
