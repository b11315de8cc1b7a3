import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';
import { BackgroundFailures } from './background-failures.js';

function capture(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

test('a timer that throws on every tick is logged once, then summarized every 10 s, and counted each time', async () => {
  const { log, lines } = capture();
  const counted: string[] = [];
  let t = 0;
  const failures = new BackgroundFailures(log, { storeError: (op) => counted.push(op) }, () => t);
  // A full disk: the checkpoint fails every 200 ms for 25 s.
  for (; t < 25_000; t += 200)
    failures.report('wal-checkpoint', 'SqliteError: database or disk is full', 'background WAL checkpoint failed', 'warn');
  // A corrupt file: the sweep throws synchronously, the release rejects.
  failures.run('poll-changes', 'following changes failed', () => {
    throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
  });
  failures.run('release-expired', 'releasing expired restrictions failed', () => Promise.reject(new Error('boom')));
  await new Promise((r) => setImmediate(r));
  assert.equal(counted.filter((c) => c === 'wal-checkpoint').length, 125);
  assert.deepEqual(
    lines.map((l) => [l.task, l.level, l.occurrences, l.msg]),
    [
      ['wal-checkpoint', 40, 1, 'background WAL checkpoint failed'],
      ['wal-checkpoint', 40, 50, 'background WAL checkpoint failed (50 times since the last report)'],
      ['wal-checkpoint', 40, 50, 'background WAL checkpoint failed (50 times since the last report)'],
      ['poll-changes', 50, 1, 'following changes failed'],
      ['release-expired', 50, 1, 'releasing expired restrictions failed'],
    ],
  );
  assert.equal((lines[3]!.err as { message: string }).message, 'database disk image is malformed');
  assert.deepEqual(counted.slice(125), ['poll-changes', 'release-expired']);
});
