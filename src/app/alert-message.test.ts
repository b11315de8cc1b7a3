import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertEmail, alertPayload, oneLine } from './alert-message.js';
import { outcome } from './notification-outbox.js';
import { resolveRecipients } from './alert-engine.js';
import type { StoredAlert, StoredNotification } from './ports.js';
import type { AdminAccount } from '../domain/account.js';

const alert: StoredAlert = {
  id: '11111111-2222-3333-4444-555555555555',
  tenantId: 'default',
  policyId: 'UserRestricted',
  policyName: 'User restricted from sending email',
  severity: 'High',
  status: 'New',
  entityType: 'Mailbox',
  entity: 'julia@contoso.example',
  reason: 'EmailSendingLimitExceeded;InternalRecipientCountToday=0;ExternalRecipientCountToday=500;ExceedingLimitType=External;Last MessagetraceId=;LastMessageRcptCount=1;RecipientLimitExternalPerHour=500;OutboundMailLast24Hours=501;',
  firstEventAt: Date.UTC(2026, 10, 28, 9),
  lastEventAt: Date.UTC(2026, 10, 28, 9),
  eventCount: 1,
  changedAt: Date.UTC(2026, 10, 28, 9),
};

test('the email says who, why (limit and counts), when, the policy, and links to the entity', () => {
  const m = alertEmail(alert, 'https://outgate.example.net/');
  assert.equal(m.subject, '[Outgate] High: User restricted from sending email - julia@contoso.example');
  assert.match(m.text, /^User: julia@contoso\.example$/m);
  assert.match(m.text, /^ {2}RecipientLimitExternalPerHour: 500$/m);
  assert.match(m.text, /^ {2}OutboundMailLast24Hours: 501$/m);
  assert.match(m.text, /^When \(UTC\): 2026-11-28T09:00:00\.000Z$/m);
  assert.match(m.text, /^Open it in Outgate: https:\/\/outgate\.example\.net\/restrictedentities\?entityType=Mailbox&identity=julia%40contoso\.example&tenant=default$/m);
  assert.match(m.html, /<a href="https:\/\/outgate\.example\.net\/restrictedentities\?entityType=Mailbox&amp;identity=julia%40contoso\.example&amp;tenant=default">/);
});

test('untrusted text: one line in the subject, escaped in the HTML', () => {
  const evil = { ...alert, entity: 'x@y.example\r\nBcc: z@evil.example', reason: '<img src=x onerror=alert(1)>;"a"=\'b\'' };
  const m = alertEmail(evil, 'https://o.example');
  assert.ok(!/[\r\n]/.test(m.subject));
  assert.ok(!m.html.includes('<img'));
  assert.match(m.html, /<li>&lt;img src: x onerror=alert\(1\)&gt;<\/li>/);
  assert.match(m.html, /<td>x@y\.example Bcc: z@evil\.example<\/td>/);
  assert.equal(oneLine('a\u2028b\u0000c\td'), 'a b c d');
  assert.equal(alertPayload(evil, 'https://o.example').Alert.Entity, evil.entity, 'JSON carries it verbatim, escaped by JSON');
});

test('a delivery attempt: sent, retried later with its error, or failed for good', () => {
  const n: StoredNotification = { id: 'n', alertId: alert.id, channel: 'email', recipient: 'a@b.example', webhookId: null, status: 'Pending', attempts: 0, nextAttemptAt: 0, lastAttemptAt: null, sentAt: null, lastError: null, createdAt: 0 };
  assert.deepEqual(outcome(n, null, 1000), { ...n, status: 'Sent', attempts: 1, lastAttemptAt: 1000, sentAt: 1000, nextAttemptAt: null, lastError: null });
  const retry = outcome({ ...n, attempts: 2 }, new Error('connect\nECONNREFUSED'), 1000);
  assert.deepEqual([retry.status, retry.attempts, retry.nextAttemptAt, retry.lastError], ['Pending', 3, 1000 + 60_000, 'connect ECONNREFUSED']);
  assert.equal(outcome(n, Object.assign(new Error('550 no such user'), { permanent: true }), 1000).status, 'Failed');
  assert.equal(outcome({ ...n, attempts: 59 }, new Error('down'), 1000).status, 'Failed');
});

test('TenantAdmins are the enabled Global Administrators of the tenant (and provider-level ones) with an address', () => {
  const acct = (over: Partial<AdminAccount>): AdminAccount => ({ Id: over.Name!, Name: 'x', DisplayName: '', Role: 'Global Administrator', TenantId: null, Enabled: true, Email: null, WhenCreatedUTC: '', WhenChangedUTC: '', ...over });
  const accounts = [
    acct({ Name: 'top', Email: 'top@corp.example' }),
    acct({ Name: 'mine', TenantId: 't1', Email: 'mine@t1.example' }),
    acct({ Name: 'other', TenantId: 't2', Email: 'other@t2.example' }),
    acct({ Name: 'off', TenantId: 't1', Email: 'off@t1.example', Enabled: false }),
    acct({ Name: 'reader', TenantId: 't1', Role: 'Security Reader', Email: 'reader@t1.example' }),
    acct({ Name: 'noaddr', TenantId: 't1' }),
  ];
  assert.deepEqual(resolveRecipients(['TenantAdmins', 'soc@t1.example', 'reader', 'noaddr', 'ghost'], 't1', accounts), {
    addresses: ['mine@t1.example', 'reader@t1.example', 'soc@t1.example', 'top@corp.example'],
    unresolved: [
      { name: 'noaddr', why: "Admin account 'noaddr' has no email address or is disabled." },
      { name: 'ghost', why: "No admin account 'ghost' in this tenant." },
    ],
  });
  assert.deepEqual(resolveRecipients(['TenantAdmins'], 't3', [accounts[1]!]).unresolved.map((u) => u.name), ['TenantAdmins']);
});
