import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtInPolicy, changePolicy, customPolicy, dailyLimit, findPolicy, notifyUsers, tenantPolicies } from './alert-policy.js';

const AT = '2026-11-28T09:00:00.000Z';

test('every tenant has the seven built-in Threat management policies, on, mailing TenantAdmins without a daily limit', () => {
  const ps = tenantPolicies([], 't1', AT);
  assert.deepEqual(
    ps.map((p) => [p.Name, p.Severity, p.Event, p.Disabled, p.NotifyUser, p.DailyNotificationLimit, p.AggregationMinutes, p.Category, p.IsSystemRule]),
    [
      ['User restricted from sending email', 'High', 'UserRestricted', false, ['TenantAdmins'], null, 15, 'ThreatManagement', true],
      ['Email sending limit exceeded', 'Medium', 'SendingLimitExceeded', false, ['TenantAdmins'], null, 15, 'ThreatManagement', true],
      ['Suspicious email sending patterns detected', 'Medium', 'SuspiciousSending', false, ['TenantAdmins'], null, 15, 'ThreatManagement', true],
      ['Suspicious connector activity', 'High', 'ConnectorRestricted', false, ['TenantAdmins'], null, 15, 'ThreatManagement', true],
      ['Tenant restricted from sending email', 'High', 'TenantRestricted', false, ['TenantAdmins'], null, 15, 'ThreatManagement', true],
      ['Suspicious tenant sending patterns observed', 'High', 'SuspiciousTenantSending', false, ['TenantAdmins'], null, 15, 'ThreatManagement', true],
      ['Suspicious email forwarding activity', 'High', 'SuspiciousForwarding', false, ['TenantAdmins'], null, 15, 'ThreatManagement', true],
    ],
  );
  assert.equal(findPolicy(ps, 'user RESTRICTED from sending email')?.Identity, 'UserRestricted');
});

test('a stored change of a built-in policy replaces its defaults in that tenant only', () => {
  const changed = { ...builtInPolicy('UserRestricted', 't1', AT), Disabled: true };
  assert.equal(tenantPolicies([changed], 't1', AT)[0]!.Disabled, true);
  assert.equal(tenantPolicies([changed], 't2', AT)[0]!.Disabled, false);
});

test('on a built-in policy only status and notification settings change; anything else is refused with its code', () => {
  const p = builtInPolicy('UserRestricted', 't1', AT);
  const after = changePolicy(p, { Disabled: '$true', NotificationEnabled: false, NotifyUser: 'TenantAdmins, SOC@Contoso.com, ops', DailyNotificationLimit: 'NoLimit' }, 'later');
  assert.deepEqual([after.Disabled, after.NotificationEnabled, after.NotifyUser, after.DailyNotificationLimit, after.WhenChanged], [true, false, ['TenantAdmins', 'soc@contoso.com', 'ops'], null, 'later']);
  assert.throws(() => changePolicy(p, { Severity: 'Low' }, 'later'), { code: 'OG_ERR_ALERT_POLICY_BUILT_IN', message: /not Severity/ });
  assert.throws(() => changePolicy(p, { AggregationMinutes: 1 }, 'later'), { code: 'OG_ERR_ALERT_POLICY_BUILT_IN' });
});

test('the daily notification limit is one of the documented choices', () => {
  assert.deepEqual([1, 5, 10, 25, 50, 150, 200].map(dailyLimit), [1, 5, 10, 25, 50, 150, 200]);
  assert.equal(dailyLimit(null), null);
  assert.equal(dailyLimit('NoLimit'), null);
  assert.equal(dailyLimit('25'), 25);
  for (const bad of [0, 2, 201, -1, 'x']) assert.throws(() => dailyLimit(bad), { code: 'OG_ERR_OUT_OF_RANGE' });
});

test('recipients are TenantAdmins, addresses (normalized) or account names; nothing that could smuggle a header', () => {
  assert.deepEqual(notifyUsers(['tenantadmins', 'A@B.example', 'a@b.example']), ['TenantAdmins', 'a@b.example']);
  assert.throws(() => notifyUsers(['x@y.example\r\nBcc: z@evil.example']), { code: 'OG_ERR_INVALID_ADDRESS' });
  assert.throws(() => notifyUsers(['no spaces allowed']), { code: 'OG_ERR_INVALID_ARGUMENT' });
  const p = builtInPolicy('UserRestricted', 't1', AT);
  assert.throws(() => changePolicy(p, { NotifyUser: [] }, AT), { code: 'OG_ERR_MISSING_PARAMETER' });
  assert.deepEqual(changePolicy(p, { NotifyUser: [], NotificationEnabled: false }, AT).NotifyUser, []);
});

test('a custom policy needs a name, an event kind and a severity, and keeps the built-in defaults otherwise', () => {
  const p = customPolicy('id-1', 't1', { Name: 'Mine', Event: 'suspicioussending', Severity: 'low', AggregationMinutes: 60 }, AT);
  assert.deepEqual([p.Identity, p.Name, p.Event, p.Severity, p.IsSystemRule, p.AggregationMinutes, p.NotifyUser], ['id-1', 'Mine', 'SuspiciousSending', 'Low', false, 60, ['TenantAdmins']]);
  assert.throws(() => customPolicy('id', 't1', { Name: 'X', Event: 'Nope', Severity: 'Low' }, AT), { code: 'OG_ERR_INVALID_ARGUMENT' });
  assert.throws(() => customPolicy('id', 't1', { Name: 'X', Event: 'UserRestricted' }, AT), { code: 'OG_ERR_MISSING_PARAMETER' });
  assert.throws(() => changePolicy(p, { AggregationMinutes: 0 }, AT), { code: 'OG_ERR_OUT_OF_RANGE' });
  assert.throws(() => changePolicy(p, { Event: 'UserRestricted' }, AT), { code: 'OG_ERR_INVALID_ARGUMENT' });
});
