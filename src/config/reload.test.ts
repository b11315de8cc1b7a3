import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './load.js';
import { changedSettings, isLive } from './reload.js';

const config = (overrides: Record<string, unknown>) => loadConfig({ env: {}, overrides });

test('a reload names the settings that changed, and which of them need a restart', () => {
  const before = config({ 'serviceLimits.messagesPerMinute': 30 });
  const after = config({ 'serviceLimits.messagesPerMinute': 5, 'http.listen': '127.0.0.1:9000', 'alerts.webhookAllow': ['10.0.0.0/8'] });
  const changed = changedSettings(before, after);
  assert.deepEqual(changed.sort(), ['alerts.webhookAllow', 'http.listen', 'serviceLimits.messagesPerMinute']);
  assert.deepEqual(changed.filter(isLive), ['serviceLimits.messagesPerMinute']);
  assert.deepEqual(changedSettings(before, config({ 'serviceLimits.messagesPerMinute': 30 })), []);
  assert.ok(isLive('log.level') && isLive('policy.failMode') && !isLive('policy.listen') && !isLive('dataDir'));
});
