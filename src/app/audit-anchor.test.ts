import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAnchor, parseAnchors } from './audit-anchor.js';

const hash = 'ab'.repeat(32);

test('anchors read back as Test-AuditLogIntegrity prints them, one or several', () => {
  assert.deepEqual(parseAnchors(undefined), []);
  assert.deepEqual(parseAnchors(formatAnchor({ seq: 42, hash })), [{ seq: 42, hash }]);
  assert.deepEqual(parseAnchors(` 1:${hash.toUpperCase()} ,7:${hash}`), [
    { seq: 1, hash },
    { seq: 7, hash },
  ]);
  assert.deepEqual(parseAnchors([`3:${hash}`]), [{ seq: 3, hash }]);
});

test('a malformed anchor is refused with the format it should have', () => {
  for (const bad of ['12', `x:${hash}`, '5:abc', `-1:${hash}`, `1:${hash}0`]) {
    assert.throws(() => parseAnchors(bad), { code: 'OG_ERR_INVALID_ARGUMENT', message: /is not <sequence>:<64 hex digits>/ }, bad);
  }
});
