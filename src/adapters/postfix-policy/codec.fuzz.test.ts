// Property-based fuzzing of the policy codec: whatever the bytes and however they are split, decode
// returns requests that keep the codec's rules or throws ProtocolError; it never throws anything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, ProtocolError, type Attributes } from './codec.js';

const MAX = 4096;
/** Characters that matter to the protocol, plus any UTF-16 unit (lone surrogates included). */
const hostile = fc.oneof(
  fc.constantFrom('\n', '\n\n', '=', '\r', '\u0000', '\t', '\u007f', '-', 'request=smtpd_access_policy\n'),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const plain = fc.constantFrom(...'abcXYZ019@.-_<>+ ü');
/** Mostly what Postfix sends, now and then anything: most requests decode, many do not. */
const unit = fc.oneof({ arbitrary: plain, weight: 30 }, { arbitrary: hostile, weight: 1 });
const noise = fc.string({ unit: fc.oneof(plain, hostile), maxLength: 300 });
const NAMES = [
  'protocol_state',
  'sasl_username',
  'client_address',
  'sender',
  'recipient',
  'recipient_count',
  'queue_id',
  'instance',
  'size',
  'x',
];
const count = fc.oneof(
  fc.nat(1000).map(String),
  fc.nat().map(String),
  fc.constantFrom('', '-1', '1e3', '0x10', ' 5', '1.5', '99999999999'),
);
const line = fc.oneof(
  fc.tuple(fc.constantFrom(...NAMES), fc.string({ unit, maxLength: 40 })).map(([k, v]) => `${k}=${v}`),
  count.map((c) => `recipient_count=${c}`),
);
/** Near-valid requests: a valid first line, then attribute lines whose values may be anything. */
const request = fc.array(line, { maxLength: 12 }).map((lines) => `request=smtpd_access_policy\n${lines.map((l) => `${l}\n`).join('')}\n`);
const stream = fc
  .array(fc.oneof({ arbitrary: request, weight: 6 }, { arbitrary: noise, weight: 1 }), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join(''));

/** Feeds `input` in the given pieces, as a socket would; returns the requests or the ProtocolError. */
function feed(input: string, cuts: number[]): Attributes[] | ProtocolError {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: Attributes[] = [];
  let buffer = '';
  let prev = 0;
  try {
    for (const p of [...points, input.length]) {
      buffer += input.slice(prev, p);
      prev = p;
      const d = decode(buffer, MAX);
      buffer = d.rest;
      out.push(...d.requests);
    }
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  return out;
}

test('property: any bytes, any split: requests that keep the rules, or a ProtocolError, never a crash', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (input, cuts) => {
      const result = feed(input, cuts);
      if (result instanceof ProtocolError) return;
      for (const a of result) {
        assert.equal(a.request, 'smtpd_access_policy');
        assert.match(a.recipient_count, /^[0-9]{0,9}$/);
        for (const v of [a.sasl_username, a.sender, a.recipient, a.client_address, a.protocol_state, a.queue_id, a.instance]) {
          assert.doesNotMatch(v, /[\u0000-\u001f\u007f]/);
        }
      }
    }),
    { numRuns: 3000 },
  );
});

test('property: the split never changes the outcome (same requests, or refused either way)', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (input, cuts) => {
      const whole = feed(input, []);
      const split = feed(input, cuts);
      if (whole instanceof ProtocolError || split instanceof ProtocolError) {
        // A split can only reveal an oversized or bad block sooner, never hide one.
        assert.ok(whole instanceof ProtocolError && split instanceof ProtocolError, `${String(whole)} vs ${String(split)}`);
        return;
      }
      assert.deepEqual(split, whole);
    }),
    { numRuns: 3000 },
  );
});

test('no hang: a request at the size limit, fed a byte at a time, decodes in well under a second', () => {
  const body = `request=smtpd_access_policy\nsender=${'x'.repeat(MAX - 40)}`;
  const started = performance.now();
  let buffer = '';
  for (const ch of body) buffer = decode(buffer + ch, MAX).rest;
  assert.equal(decode(`${buffer}\n\n`, MAX).requests.length, 1);
  assert.ok(performance.now() - started < 1000);
});
