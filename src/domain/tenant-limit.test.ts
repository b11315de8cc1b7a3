import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replyLine } from './replies.js';
import { restrictTenant, tenantEarlyWarning, tenantRefusal } from './tenant-limit.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
// A tenant's counter holds external recipients only.
const totals = (external: number) => ({ externalLastHour: 0, internalLastHour: 0, externalLast24h: external, internalLast24h: 0, recipientsLast24h: external, messagesLastMinute: 0 });

test('a tenant over its limit is restricted until the provider unblocks it, with the count in the Reason', () => {
  const t = restrictTenant('contoso', 6, 5, T);
  assert.deepEqual(
    [t.restriction.entityType, t.restriction.identity, t.restriction.action, t.restriction.expiresAt],
    ['Tenant', 'contoso', 'BlockUser', null],
  );
  assert.equal(
    t.restriction.reason,
    'TenantExternalRecipientLimitExceeded;ExternalRecipientCountLast24Hours=6;TenantExternalRecipientLimitPerDay=5;Policy=TenantExternalRecipientLimit;',
  );
  assert.equal(t.event.type, 'SenderRestricted');
});

test('a restricted tenant: 5.7.233 for an external recipient at RCPT, 5.7.705 for a message with unheld external recipients at its end, internal mail flows', () => {
  const r = restrictTenant('contoso', 6, 5, T).restriction;
  assert.equal(
    replyLine(tenantRefusal(r, T, 'rcpt', 1)!),
    "550 5.7.233 Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)",
  );
  assert.equal(replyLine(tenantRefusal(r, T, 'end', 2)!), '550 5.7.705 Access denied, tenant has exceeded threshold');
  assert.equal(tenantRefusal(r, T, 'end', 0), null, 'only internal (or already held) recipients');
  assert.equal(tenantRefusal({ ...r, status: 'Released' }, T, 'rcpt', 1), null);
  assert.equal(tenantRefusal(undefined, T, 'rcpt', 1), null);
});

test('the early warning fires from the share up to, not at, the limit', () => {
  assert.equal(tenantEarlyWarning('contoso', totals(2), 1, 5, 0.8, T), null, '3 of 5');
  const w = tenantEarlyWarning('contoso', totals(2), 2, 5, 0.8, T);
  assert.deepEqual(w?.type === 'SuspiciousSending' && w.sender, { tenantId: 'contoso', type: 'Tenant', identity: 'contoso' });
  assert.equal(
    w?.type === 'SuspiciousSending' && w.reason,
    'SuspiciousTenantSending;EarlyWarningShare=80%;ExternalRecipientCountLast24Hours=4;TenantExternalRecipientLimitPerDay=5;Policy=TenantExternalRecipientLimit;',
  );
  assert.equal(tenantEarlyWarning('contoso', totals(4), 1, 5, 0.8, T), null, 'at the limit: the next recipient restricts');
  assert.equal(tenantEarlyWarning('contoso', totals(4), 0, 5, 0.8, T), null, 'no external recipient in the message');
  assert.equal(tenantEarlyWarning('contoso', totals(4), 1, 10, undefined, T), null, 'early warnings off');
});
