import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Conversation } from './conversation.js';

test('a recipient asked about twice (sender and recipient restrictions) counts once', () => {
  const c = new Conversation('i1');
  assert.deepEqual(c.tallyWith('bob@example.com', false), { external: 1, internal: 0 });
  c.add('bob@example.com', false);
  assert.deepEqual(c.tallyWith('bob@example.com', false), { external: 1, internal: 0 });
  c.add('bob@example.com', false);
  c.add('carol@outgate.test', true);
  assert.deepEqual(c.tally(), { external: 1, internal: 1 });
  assert.equal(c.size, 2);
});
