// checkSend over the embedded store, in process: what changes while a message is open (the directory, a
// restriction for a sender no longer held in memory) is seen by the message's next stage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newAcceptedDomain } from '../src/app/accepted-domains.js';
import { CheckSend } from '../src/app/check-send.js';
import type { SendRequest } from '../src/app/send-request.js';
import { bootstrap, newTenant } from '../src/app/tenants.js';
import { openStore } from '../src/adapters/store/open-store.js';
import { loadConfig } from '../src/config/load.js';
import { SYSTEM } from '../src/domain/events.js';
import { restrict } from '../src/domain/restriction.js';
import { DEFAULT_SERVICE_LIMITS } from '../src/domain/service-limits.js';
import { DEFAULT_TENANT_ID } from '../src/domain/tenant.js';
import { tempDataDir, TestClock } from './support/outgate.js';

const LOGIN = 'bob@moved.test';
const RCPT: SendRequest = { stage: 'rcpt', login: LOGIN, from: LOGIN, recipient: 'x@example.com' };
const END: SendRequest = { stage: 'end', login: LOGIN, from: LOGIN, recipientCount: 1 };

async function embedded(t: { after(fn: () => Promise<void>): void }) {
  const backend = await openStore(loadConfig({ env: {}, overrides: { dataDir: tempDataDir() } }), 'cli');
  t.after(() => backend.close());
  const clock = new TestClock();
  await bootstrap(backend.store, clock);
  const check = await CheckSend.start(backend.store, await backend.openCounters(clock.now()), clock, DEFAULT_SERVICE_LIMITS);
  return { store: backend.store, clock, check };
}

test('a directory change in the middle of a message is seen by its next stage: a new accepted domain moves the login to its tenant', async (t) => {
  const { store, clock, check } = await embedded(t);
  const message = check.begin('m1', 'test');
  assert.equal((await message.decide(RCPT)).sender?.tenantId, DEFAULT_TENANT_ID);
  const ctx = { store, clock, actor: SYSTEM };
  const tenant = await newTenant(ctx, 'Moved');
  await newAcceptedDomain({ ...ctx, tenant: tenant.Id }, 'Moved', 'moved.test');
  const end = await message.decide(END);
  assert.equal(end.sender?.tenantId, tenant.Id);
  assert.equal(end.decision.kind, 'permit');
});

test('a sender dropped from memory during a message and restricted meanwhile is refused at the message end', async (t) => {
  const { store, clock, check } = await embedded(t);
  const message = check.begin('m1', 'test');
  assert.equal((await message.decide(RCPT)).decision.kind, 'permit');
  // Idle senders with no restriction leave memory (the per-minute compaction); the restriction made
  // elsewhere (another node, the CLI) then arrives through the change feed for a sender not held.
  check.compact();
  const sender = { tenantId: DEFAULT_TENANT_ID, type: 'Mailbox' as const, identity: LOGIN };
  await store.applyTransition(restrict(sender, { reason: 'test', policy: 'Default', action: 'BlockUser', now: clock.now() }), { resetWindows: false });
  const end = await message.decide(END);
  assert.deepEqual(end.decision, { kind: 'refuse', reply: 'senderRestricted' });
});
