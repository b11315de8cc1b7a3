// Property-based fuzzing of address normalization: any text gives one stable key or undefined, never
// an exception, a control character or an over-long key, and in bounded time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hasControlCharacter, normalizeAddress, normalizeDomain, tryNormalizeAddress } from './address.js';
import { normalizeLogin } from './sender.js';
import { OutgateError } from '../errors.js';

const hostile = fc.constantFrom(...'.-@<> \u00df\u0130\u212a\u0000\r\n\t\u007f\u200e'.split(''), 'xn--', '..', '@@', '例え');
const local = fc.string({ unit: fc.constantFrom(...'abzAZ09_+-'.split(''), '.', 'ü'), minLength: 1, maxLength: 20 });
const label = fc.string({ unit: fc.constantFrom(...'abzAZ09-'.split(''), 'ü', 'Bücher', 'xn--'), minLength: 1, maxLength: 12 });
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('.test', '.example', '.', ''))
  .map(([ls, tld]) => ls.join('.') + tld);
/** Inserts a hostile piece at some position: near-misses are where normalizers go wrong. */
const spoil = (s: string) => fc.tuple(fc.nat(s.length), hostile).map(([at, h]) => s.slice(0, at) + h + s.slice(at));
const address = fc.tuple(local, domain, fc.constantFrom('', '<')).map(([l, d, bracket]) => (bracket ? `<${l}@${d}>` : `${l}@${d}`));
/** Mostly address-shaped text, some of it spoiled; and any string at all. */
const raw = fc.oneof(
  { arbitrary: address, weight: 4 },
  { arbitrary: address.chain(spoil), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 1 },
  { arbitrary: fc.string({ unit: fc.oneof(hostile, fc.constantFrom('a', 'Z', '9')), maxLength: 400 }), weight: 1 },
);

test('property: a normalized address is stable, bounded and printable; anything else is undefined, never a throw', () => {
  fc.assert(
    fc.property(raw, (s) => {
      const a = tryNormalizeAddress(s);
      if (a === undefined) {
        assert.throws(
          () => normalizeAddress(s),
          (e) => e instanceof OutgateError && e.code === 'OG_ERR_INVALID_ADDRESS',
        );
        return;
      }
      assert.equal(tryNormalizeAddress(a), a, 'normalizing twice changes nothing');
      assert.equal(normalizeAddress(a), a);
      assert.ok(a.length <= 254);
      assert.doesNotMatch(a, /[\s<>]/);
      assert.equal(hasControlCharacter(a), false);
      const at = a.lastIndexOf('@');
      assert.equal(normalizeDomain(a.slice(at + 1)), a.slice(at + 1), 'the domain is already in A-label form');
      // Case does not make a second key (ASCII case; Unicode case folding is not the same mapping).
      assert.equal(tryNormalizeAddress(s.replace(/[a-z]/g, (c) => c.toUpperCase())), a);
    }),
    { numRuns: 10_000 },
  );
});

test('property: a login always has one key, never a throw, stable under normalizing again', () => {
  fc.assert(
    fc.property(raw, (s) => {
      const key = normalizeLogin(s);
      assert.equal(normalizeLogin(key), key);
    }),
    { numRuns: 2000 },
  );
});

test('no hang: adversarial lengths are refused or accepted in well under a second', () => {
  const started = performance.now();
  for (const s of [
    `${'a.'.repeat(5000)}@x.example`,
    `a@${'a-'.repeat(5000)}`,
    `a@${'a.'.repeat(3000)}!`,
    `${'-'.repeat(10_000)}@x.example`,
    `a@${'x'.repeat(62)}.`.repeat(100),
  ]) {
    tryNormalizeAddress(s);
    normalizeLogin(s);
  }
  assert.ok(performance.now() - started < 1000);
});
