// Restricted entities beyond one page: 10,000 restricted senders paged, sorted and searched by the
// server (GET /api/v1/restricted-entities), with the total, as the portal's list asks for them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { restrict } from '../src/domain/restriction.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';

const N = 10_000;
const MINUTE = 60_000;
const addr = (i: number): string => `bulk-${String(i).padStart(5, '0')}@fabrikam.example`;

describe('restricted entities at 10,000', { timeout: 180_000 }, () => {
  let s: TestServer;
  let key = '';
  const list = async (query: string) => {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/api/v1/restricted-entities?${query}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { total: number; items: Array<{ SenderAddress: string; CreatedDatetime: string; Status: string }> };
  };

  before(async () => {
    s = await startTestServer();
    assert.equal((await s.cli('New-AdminAccount', 'reader', '-Role', 'Security Reader')).code, 0);
    key = (JSON.parse((await ok(s.cli('New-ApiKey', 'reader', '--format', 'json'))).stdout) as { Secret: string }).Secret;
    // One a minute, oldest first, so the date order is the number order; every 1000th for good (BlockUser).
    const start = s.clock.now() - N * MINUTE;
    for (let i = 0; i < N; i++) {
      const t = restrict(
        { tenantId: 'default', type: 'Mailbox', identity: addr(i) },
        { reason: 'EmailSendingLimitExceeded;ExceedingLimitType=External', policy: 'Default', action: i % 1000 === 0 ? 'BlockUser' : 'BlockUserForToday', now: start + i * MINUTE },
      );
      await s.store.applyTransition(t, { resetWindows: false });
    }
  });
  after(() => s?.stop());

  it('pages through all 10,000 with the total, newest first, pages neither overlapping nor skipping', async () => {
    const first = await list('pageSize=100');
    assert.equal(first.total, N);
    assert.equal(first.items.length, 100);
    assert.deepEqual([first.items[0]?.SenderAddress, first.items[99]?.SenderAddress], [addr(N - 1), addr(N - 100)]);
    const last = await list('pageSize=100&page=100');
    assert.deepEqual([last.items.length, last.items[0]?.SenderAddress, last.items[99]?.SenderAddress], [100, addr(99), addr(0)]);
    assert.deepEqual((await list('pageSize=100&page=101')).items, [], 'past the end: an empty page, the same total');
  });

  it('sorts by entity both ways and by expiry, and searches, over all of them', async () => {
    assert.equal((await list('pageSize=1&sort=Entity&order=asc')).items[0]?.SenderAddress, addr(0));
    assert.equal((await list('pageSize=1&sort=Entity&order=desc')).items[0]?.SenderAddress, addr(N - 1));
    // BlockUser rows never expire: last when soonest-first, first when reversed.
    const soonest = await list('pageSize=10&sort=ExpiresDatetime&order=asc');
    const latest = await list('pageSize=10&sort=ExpiresDatetime&order=desc');
    assert.notDeepEqual(soonest.items.map((e) => e.SenderAddress), latest.items.map((e) => e.SenderAddress), 'Expires reverses');
    const found = await list('pageSize=100&search=BULK-0999');
    assert.equal(found.total, 10, 'bulk-09990 … bulk-09999');
    assert.ok(found.items.every((e) => e.SenderAddress.startsWith('bulk-0999')));
  });
});
