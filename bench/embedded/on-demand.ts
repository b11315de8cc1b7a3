// The on-demand counters at N tracked senders (default 1,000,000) in the store, in process: opening the
// store and its counters, a decision for a sender not in memory (a new one, and one loaded from the
// store), and listing every active sender (active(): summed on a worker thread), with the longest stall
// of the event loop meanwhile. Usage: node --import tsx bench/embedded/on-demand.ts [N]
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NO_CAPS } from '../../src/app/ports.js';
import { openEmbedded } from '../../src/adapters/store/sqlite/embedded-backend.js';
import { EmbeddedCounters } from '../../src/adapters/store/sqlite/sending-counters.js';
import { senderKey } from '../../src/domain/sender.js';

const n = Number(process.argv[2] ?? 1_000_000);
const dataDir = mkdtempSync(join(tmpdir(), 'outgate-on-demand-'));
const open = () => openEmbedded({ dataDir, synchronous: 'normal', busyTimeoutMs: 5000, role: 'server' });
try {
  await open().close();
  const db = new Database(join(dataDir, 'outgate.db'));
  const nowMinute = Math.floor(Date.now() / 60_000);
  const insert = db.prepare('INSERT INTO sending_minutes VALUES (?, ?, ?, ?, 1, 0, 1)');
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(nowMinute - 1380 + Math.floor((i * 1380) / n), 'default', 'Mailbox', `seed${i}@outgate.test`);
  })();
  db.close();
  const opening = Date.now();
  const backend = open();
  const counters = await backend.openCounters(Date.now());
  console.log(`${n} senders in the store: store and counters open in ${Date.now() - opening} ms`);
  // The baseline: the same first reserve on counters that read nothing from a store.
  const inMemoryOnly = await EmbeddedCounters.open({ subscribe: () => () => undefined, loadWindows: () => Promise.resolve([]), recordSends: () => Promise.resolve() }, Date.now());
  const N = 20_000;
  for (const [what, c, prefix] of [['in memory only, first time', inMemoryOnly, 'new'], ['not in memory, never sent', counters, 'new'], ['not in memory, in the store', counters, 'seed']] as const) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const sender = { tenantId: 'default', type: 'Mailbox' as const, identity: `${prefix}${i * 37}@outgate.test` };
      c.reserve({ sender, key: senderKey(sender), message: `m${i}`, recipient: 'x@example.net', internal: false, now: Date.now(), caps: NO_CAPS });
    }
    const first = Number(process.hrtime.bigint() - t0) / N / 1000;
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const sender = { tenantId: 'default', type: 'Mailbox' as const, identity: `${prefix}${i * 37}@outgate.test` };
      c.reserve({ sender, key: senderKey(sender), message: `m${i}`, recipient: 'y@example.net', internal: false, now: Date.now(), caps: NO_CAPS });
    }
    console.log(`reserve, sender ${what}: ${first.toFixed(1)} µs; its next reserve ${(Number(process.hrtime.bigint() - t1) / N / 1000).toFixed(1)} µs`);
  }
  const stall = monitorEventLoopDelay({ resolution: 10 });
  stall.enable();
  const t0 = Date.now();
  const pending = counters.active(Date.now());
  const syncMs = Date.now() - t0;
  const all = [...(await pending)];
  stall.disable();
  console.log(`active(): ${all.length} senders in ${Date.now() - t0} ms (${syncMs} ms on the event loop before it returned; longest stall ${(stall.max / 1e6).toFixed(0)} ms)`);
  await backend.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
