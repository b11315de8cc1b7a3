import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from './load.js';

const cwd = mkdtempSync(join(tmpdir(), 'outgate-config-'));

test('an empty OUTGATE_* value leaves the setting at its default', () => {
  const config = loadConfig({ cwd, env: { OUTGATE_POLICY_LISTEN: '', OUTGATE_HTTP_LISTEN: '' } });
  assert.equal(config.policy.listen, loadConfig({ cwd, env: {} }).policy.listen);
  assert.equal(config.http.listen, loadConfig({ cwd, env: {} }).http.listen);
});

test('OUTGATE_MILTER_LISTEN= turns the milter off, as an empty milter.listen does', () => {
  assert.equal(loadConfig({ cwd, env: {} }).milter.listen, '127.0.0.1:10041');
  assert.equal(loadConfig({ cwd, env: { OUTGATE_MILTER_LISTEN: '' } }).milter.listen, '');
  assert.equal(loadConfig({ cwd, env: { OUTGATE_MILTER_LISTEN: '127.0.0.1:0' } }).milter.listen, '127.0.0.1:0');
});
