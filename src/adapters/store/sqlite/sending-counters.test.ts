import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { senderKey, type SenderRef } from '../../../domain/sender.js';
import { openEmbedded } from './embedded-backend.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const bob: SenderRef = { tenantId: 'default', type: 'Mailbox', identity: 'bob@counters.test' };

test('what makes a commit idempotent is kept per sender and bounded, not one id per message sent', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outgate-counters-'));
  const backend = openEmbedded({ dataDir, synchronous: 'normal', busyTimeoutMs: 5_000, role: 'server' });
  t.after(async () => {
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const counters = await backend.openCounters(T);
  const key = senderKey(bob);
  const commit = (message: string) => counters.commit({ sender: bob, key, message, at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
  for (let i = 0; i < 1_000; i++) await commit(`m${i}`);
  await commit('m999');
  assert.equal((await counters.totals(key, '', T)).externalLastHour, 1_000, 'a repeated END of a recent message adds nothing');
  const remembered = (counters as unknown as { senders: Map<string, { recentCommits: number[] }> }).senders.get(key)!.recentCommits;
  assert.ok(remembered.length <= 8 && remembered.every((h) => typeof h === 'number'), `${remembered.length} message ids remembered for one sender, as numbers`);
});
