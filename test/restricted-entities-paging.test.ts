// Restricted entities beyond one page: 10,000 restricted senders paged, sorted and searched by the
// store in SQL (GET /api/v1/restricted-entities), with the total, as the portal's list asks for them.
// Each walk reports how long a page took (a diagnostic, not an assertion: the machine is shared).
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
    return (await res.json()) as { total: number; items: Array<{ SenderAddress: string; CreatedDatetime: string; Status: string; Reason: string; Entity: string }> };
  };
  const timed = async (query: string) => {
    const t0 = performance.now();
    const page = await list(query);
    return { page, ms: performance.now() - t0 };
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
        { reason: `EmailSendingLimitExceeded;ExceedingLimitType=${i % 500 === 7 ? 'Internal' : 'External'}`, policy: 'Default', action: i % 1000 === 0 ? 'BlockUser' : 'BlockUserForToday', now: start + i * MINUTE },
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
    // The admin's % and _ are text, not wildcards.
    assert.equal((await list('search=bulk%25fabrikam')).total, 0);
    assert.equal((await list('search=bulk_0')).total, 0);
    assert.equal((await list('search=INTERNAL')).total, 20, 'the reason is searched too');
  });

  it('sorts by reason and entity type, and splits by status, on the server', async () => {
    const byReason = await list('pageSize=20&sort=Reason&order=desc');
    assert.deepEqual(new Set(byReason.items.map((e) => e.Reason)), new Set(['EmailSendingLimitExceeded;ExceedingLimitType=Internal']), 'the 20 Internal first');
    assert.equal((await list('pageSize=1&sort=Reason&order=asc')).items[0]?.Reason, 'EmailSendingLimitExceeded;ExceedingLimitType=External');
    const byType = await list('pageSize=5&sort=EntityType&order=asc');
    assert.deepEqual([byType.total, byType.items.map((e) => e.Entity)], [N, ['Mailbox', 'Mailbox', 'Mailbox', 'Mailbox', 'Mailbox']]);
    // BlockUserForToday ones older than a day have lifted by themselves: Released; BlockUser ones stay.
    const restricted = await list('status=Restricted&pageSize=500');
    const released = await list('status=Released&pageSize=1');
    assert.equal(restricted.total + released.total, N);
    assert.ok(restricted.items.every((e) => e.Status === 'Restricted') && restricted.total > 0 && released.total > 0);
    assert.equal((await list('pageSize=1&sort=Status&order=desc')).items[0]?.Status, 'Restricted');
  });

  it('walks every page in entity order: each page full, none overlapping or skipping (time per page reported)', async (t) => {
    const seen = new Set<string>();
    const times: number[] = [];
    for (let page = 1; page <= N / 200; page++) {
      const { page: p, ms } = await timed(`pageSize=200&page=${page}&sort=Entity&order=asc`);
      times.push(ms);
      assert.equal(p.total, N);
      assert.equal(p.items.length, 200, `page ${page}`);
      assert.equal(p.items[0]?.SenderAddress, addr((page - 1) * 200), `page ${page} starts where the last ended`);
      for (const e of p.items) seen.add(e.SenderAddress);
    }
    assert.equal(seen.size, N);
    const searched = await timed('pageSize=100&search=fabrikam&sort=Reason&order=desc&page=50');
    assert.equal(searched.page.items.length, 100);
    times.sort((a, b) => a - b);
    t.diagnostic(`pages of 200 of ${N}: median ${times[times.length >> 1]!.toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms; a searched page sorted by reason: ${searched.ms.toFixed(1)} ms`);
  });
});
