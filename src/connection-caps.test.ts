import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionBudget, connectionCaps, httpConnectionCaps, softOpenFileLimit } from './connection-caps.js';

const auto = { maxConnections: 0, maxConnectionsPerClient: 0 };

test('derived caps stay below the open-file limit with room for HTTP and the store', () => {
  assert.deepEqual(connectionCaps(auto, 1024), { total: 768, perClient: 384 });
  assert.deepEqual(connectionCaps(auto, 256), { total: 16, perClient: 8 });
  assert.deepEqual(connectionCaps(auto, 1_048_576), { total: 4096, perClient: 2048 });
  assert.deepEqual(connectionCaps(auto, undefined), { total: 512, perClient: 256 });
  assert.deepEqual(connectionCaps({ maxConnections: 100, maxConnectionsPerClient: 0 }, 1024), { total: 100, perClient: 50 });
  assert.deepEqual(connectionCaps({ maxConnections: 100, maxConnectionsPerClient: 500 }, 1024), { total: 100, perClient: 100 });
});

test('HTTP gets half of what policy connections leave, so policy plus HTTP stays below the limit', () => {
  assert.deepEqual(httpConnectionCaps(auto, 1024), { total: 128, perClient: 64 });
  assert.deepEqual(httpConnectionCaps(auto, 16_384), { total: 1024, perClient: 512 });
  assert.deepEqual(httpConnectionCaps(auto, undefined), { total: 128, perClient: 64 });
  assert.deepEqual(httpConnectionCaps({ maxConnections: 10, maxConnectionsPerClient: 3 }, 1024), { total: 10, perClient: 3 });
  for (const limit of [256, 1024, 4096, 16_384, 1_048_576]) {
    const used = connectionCaps(auto, limit).total + httpConnectionCaps(auto, limit).total;
    assert.ok(limit - used >= 100, `${limit}: ${used} used, at least 100 left for the store and logs`);
  }
});

test('the soft limit is read from /proc/self/limits; unreadable or unlimited means undefined', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outgate-limits-'));
  try {
    const file = join(dir, 'limits');
    writeFileSync(
      file,
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n',
    );
    assert.equal(softOpenFileLimit(file), 1024);
    writeFileSync(file, 'Max open files            unlimited            unlimited            files\n');
    assert.equal(softOpenFileLimit(file), undefined);
    assert.equal(softOpenFileLimit(join(dir, 'missing')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the mail listeners share one budget of connections: a slot given back is free again', () => {
  const budget = new ConnectionBudget(2);
  assert.equal(budget.take(), true);
  assert.equal(budget.take(), true);
  assert.equal(budget.take(), false, 'both slots held');
  budget.give();
  assert.equal(budget.open, 1);
  assert.equal(budget.take(), true);
  budget.give();
  budget.give();
  budget.give();
  assert.equal(budget.open, 0, 'never below zero');
});
