// Spam share over a rolling 24 hours, the floor and threshold that restrict, and EOP's Reason keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessSpam, SpamTally, spamReason } from './outbound-spam.js';
import type { SenderRef } from './sender.js';

const NOW = Date.UTC(2026, 10, 28, 15, 30);
const HOUR = 3_600_000;
const alice: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' };
const assess = (scanned: number, spam: number, action: 'Alert' | 'BlockUser' | 'BlockUserForToday' = 'BlockUserForToday') =>
  assessSpam({ sender: alice, tally: { scanned, spam }, threshold: { floorMessages: 10, percent: 50 }, action, policy: 'Default', messageId: 'Q1', now: NOW });

test('the tally keeps 24 hours of scanned and spam messages, rolling by the hour', () => {
  const t = new SpamTally();
  t.add(NOW - 23 * HOUR, true);
  t.add(NOW - HOUR, false);
  t.add(NOW, true);
  assert.deepEqual(t.last24h(NOW), { scanned: 3, spam: 2 });
  assert.deepEqual(t.last24h(NOW + HOUR), { scanned: 2, spam: 1 }, 'the oldest hour has rolled out');
  assert.deepEqual(t.last24h(NOW + 25 * HOUR), { scanned: 0, spam: 0 });
});

test('under the floor or under the share nothing happens; at both the sender is restricted and warned about', () => {
  assert.equal(assess(9, 9).restrict, null, 'under the floor');
  assert.equal(assess(10, 4).restrict, null, 'under the share');
  const hit = assess(10, 5);
  assert.equal(hit.restrict?.restriction.reason, 'OutboundSpamLast24Hours=5;OutboundMailLast24Hours=10;OutboundSpamPercent=50;Last Spam Message MessagetraceId:Q1;Policy=Default;');
  assert.equal(hit.restrict?.restriction.action, 'BlockUserForToday', 'the policy action');
  assert.deepEqual(hit.events.map((e) => e.type), ['SuspiciousSending']);
  assert.equal(assess(10, 10, 'Alert').restrict?.restriction.action, 'BlockUser', 'spam is blocked even under Alert');
  assert.equal(spamReason({ scanned: 0, spam: 0 }, undefined, 'P'), 'OutboundSpamLast24Hours=0;OutboundMailLast24Hours=0;OutboundSpamPercent=0;Last Spam Message MessagetraceId:;Policy=P;');
});
