import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldSubaddress } from './subaddress.js';

test('a sub-address folds into its mailbox at the first delimiter, only when delimiters are set', () => {
  assert.equal(foldSubaddress('alice+news@outgate.test', ''), 'alice+news@outgate.test', 'off by default');
  assert.equal(foldSubaddress('alice+news@outgate.test', '+'), 'alice@outgate.test');
  assert.equal(foldSubaddress('alice-x+y@outgate.test', '+-'), 'alice@outgate.test', 'each character is a delimiter');
  assert.equal(foldSubaddress('alice@outgate.test', '+'), 'alice@outgate.test');
  assert.equal(foldSubaddress('+news@outgate.test', '+'), '+news@outgate.test', 'no mailbox name before it');
  assert.equal(foldSubaddress('alice+news', '+'), 'alice', 'a bare login too');
  assert.equal(foldSubaddress('plain', '+'), 'plain');
});
