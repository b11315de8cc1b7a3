import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyAddress } from './recipient-permission.js';

const grants = new Set(['svc@outgate.test\u0000boss@outgate.test']);
const maySendAs = (t: string, i: string) => grants.has(`${t}\u0000${i}`);

test('the policy follows the sending address only when the login may send as it', () => {
  assert.equal(policyAddress('svc@outgate.test', 'boss@outgate.test', maySendAs), 'boss@outgate.test');
  assert.equal(policyAddress('eve@outgate.test', 'boss@outgate.test', maySendAs), 'eve@outgate.test', 'no Send As: the login own policy');
  assert.equal(policyAddress('svc@outgate.test', undefined, maySendAs), 'svc@outgate.test');
  assert.equal(policyAddress('svc@outgate.test', 'svc@outgate.test', () => assert.fail('not asked')), 'svc@outgate.test');
  assert.equal(policyAddress('svc', 'boss@outgate.test', maySendAs), 'boss@outgate.test', 'a bare login names no address of its own');
});
