import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.js';

/** A write that records its batches and finishes when told to. */
function slowWrites(refuse: (item: string) => boolean = () => false) {
  const batches: string[][] = [];
  const finish: Array<() => void> = [];
  const write = (items: readonly string[]): Promise<void> => {
    batches.push([...items]);
    return new Promise((resolve, reject) => finish.push(() => (items.some(refuse) ? reject(new Error(`refused ${items.join(',')}`)) : resolve())));
  };
  const settleAll = async (): Promise<void> => {
    while (finish.length > 0) {
      finish.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { batches, write, settleAll };
}

test('writes that arrive while one is in flight go together in the next transaction', async () => {
  const w = slowWrites();
  const g = new GroupCommit(w.write);
  const done: string[] = [];
  const all = ['a', 'b', 'c', 'd'].map((x) => g.add(x).then(() => done.push(x)));
  assert.deepEqual(w.batches, [['a']], 'the first goes at once, alone');
  await w.settleAll();
  await Promise.all(all);
  assert.deepEqual(w.batches, [['a'], ['b', 'c', 'd']]);
  assert.deepEqual(done, ['a', 'b', 'c', 'd']);
  // Idle again: the next write goes at once.
  const e = g.add('e');
  assert.deepEqual(w.batches.at(-1), ['e']);
  await w.settleAll();
  await e;
});

test('a batch the store refuses is written again item by item: only the refused one fails', async () => {
  const w = slowWrites((x) => x === 'bad');
  const g = new GroupCommit(w.write);
  const first = g.add('a');
  const rest = ['b', 'bad', 'c'].map((x) => g.add(x).then(() => 'ok', (e: Error) => e.message));
  await w.settleAll();
  await first;
  assert.deepEqual(await Promise.all(rest), ['ok', 'refused bad', 'ok']);
  assert.deepEqual(w.batches, [['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
});

test('a write alone that fails rejects with the store failure, and the next write still goes', async () => {
  const w = slowWrites((x) => x === 'bad');
  const g = new GroupCommit(w.write);
  const bad = assert.rejects(g.add('bad'), /refused bad/);
  await w.settleAll();
  await bad;
  const next = g.add('ok');
  await w.settleAll();
  await next;
  assert.deepEqual(w.batches, [['bad'], ['ok']]);
});
