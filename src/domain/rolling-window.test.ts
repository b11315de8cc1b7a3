import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MINUTE, SendingWindow } from './rolling-window.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const msg = (external: number, internal = 0) => ({ external, internal, messages: 1 });

test('hour totals roll forward a minute at a time, with no cliff reset', () => {
  const w = new SendingWindow();
  for (let m = 0; m < 60; m++) w.add(T0 + m * MINUTE, msg(1));
  assert.equal(w.totals(T0 + 59 * MINUTE).externalLastHour, 60);
  // One minute later exactly the first minute's recipient has left the hour; the rest stays.
  assert.equal(w.totals(T0 + 60 * MINUTE).externalLastHour, 59);
  assert.equal(w.totals(T0 + 90 * MINUTE).externalLastHour, 29);
  assert.equal(w.totals(T0 + 119 * MINUTE).externalLastHour, 0);
  assert.equal(w.totals(T0 + 119 * MINUTE).recipientsLast24h, 60);
});

test('day totals drop buckets after 24 hours', () => {
  const w = new SendingWindow();
  w.add(T0, msg(3, 2));
  w.add(T0 + 60 * MINUTE, msg(1));
  assert.equal(w.totals(T0 + 1439 * MINUTE).recipientsLast24h, 6);
  assert.equal(w.totals(T0 + 1440 * MINUTE).recipientsLast24h, 1);
  assert.equal(w.totals(T0 + 1500 * MINUTE).recipientsLast24h, 0);
  assert.ok(w.isEmpty(T0 + 1500 * MINUTE));
});

test('messages per minute slide by the second', () => {
  const w = new SendingWindow();
  for (let s = 0; s < 30; s++) w.add(T0 + s * 1000, msg(1));
  assert.equal(w.totals(T0 + 29_000).messagesLastMinute, 30);
  assert.equal(w.totals(T0 + 59_999).messagesLastMinute, 30);
  assert.equal(w.totals(T0 + 60_000).messagesLastMinute, 29);
  assert.equal(w.totals(T0 + 89_000).messagesLastMinute, 0);
});

test('restored buckets count as if sent at the end of their minute', () => {
  const w = new SendingWindow();
  w.restore({ minute: Math.floor(T0 / MINUTE), external: 4, internal: 1, messages: 2 });
  const t = w.totals(T0 + 30_000);
  assert.deepEqual(t, { externalLastHour: 4, internalLastHour: 1, externalLast24h: 4, internalLast24h: 1, recipientsLast24h: 5, messagesLastMinute: 2 });
});

test('a clock step backwards keeps totals exact', () => {
  const w = new SendingWindow();
  w.add(T0 + 10 * MINUTE, msg(1));
  w.add(T0, msg(2));
  w.add(T0 + 10 * MINUTE, msg(4));
  assert.equal(w.totals(T0 + 10 * MINUTE).externalLastHour, 7);
});

test('property: totals equal a brute-force sum over the windows', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5 * MINUTE }), ext: fc.nat(5), int: fc.nat(5) }), { maxLength: 200 }),
      fc.integer({ min: 0, max: 30 * 60 * MINUTE }),
      (sends, later) => {
        const w = new SendingWindow();
        let now = T0;
        const log: Array<{ at: number; ext: number; int: number }> = [];
        for (const s of sends) {
          now += s.dt;
          w.add(now, msg(s.ext, s.int));
          log.push({ at: now, ext: s.ext, int: s.int });
        }
        const at = now + later;
        const minute = Math.floor(at / MINUTE);
        const inHour = log.filter((l) => Math.floor(l.at / MINUTE) > minute - 60);
        const inDay = log.filter((l) => Math.floor(l.at / MINUTE) > minute - 1440);
        const inMinute = log.filter((l) => Math.floor(l.at / 1000) > Math.floor(at / 1000) - 60);
        const t = w.totals(at);
        assert.equal(t.externalLastHour, inHour.reduce((n, l) => n + l.ext, 0));
        assert.equal(t.internalLastHour, inHour.reduce((n, l) => n + l.int, 0));
        assert.equal(t.externalLast24h, inDay.reduce((n, l) => n + l.ext, 0));
        assert.equal(t.internalLast24h, inDay.reduce((n, l) => n + l.int, 0));
        assert.equal(t.recipientsLast24h, inDay.reduce((n, l) => n + l.ext + l.int, 0));
        assert.equal(t.messagesLastMinute, inMinute.length);
      },
    ),
  );
});
