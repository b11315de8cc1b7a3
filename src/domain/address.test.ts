import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeAddress, normalizeDomain, tryNormalizeAddress } from './address.js';
import { normalizeLogin } from './sender.js';

test('one mailbox, one key: case and IDN are normalized', () => {
  assert.equal(tryNormalizeAddress('Alice@Outgate.TEST'), 'alice@outgate.test');
  assert.equal(tryNormalizeAddress('<bob@Bücher.example>'), 'bob@xn--bcher-kva.example');
  assert.equal(tryNormalizeAddress('bob@xn--bcher-kva.example'), 'bob@xn--bcher-kva.example');
  assert.equal(tryNormalizeAddress('a@xn--a.a.test'), undefined, 'not punycode, in any case');
  assert.equal(tryNormalizeAddress('A@XN--A.a.test'), undefined);
  assert.equal(normalizeDomain('EXAMPLE.com.'), 'example.com');
  assert.equal(normalizeLogin('Alice@Outgate.Test'), 'alice@outgate.test');
  assert.equal(normalizeLogin('ALICE'), 'alice');
});

test('what is not an address is refused with a sentence naming the field', () => {
  for (const bad of ['', 'alice', '@x.com', 'a@', 'a b@x.com', 'a@x', '<script>@x.com', 'a@-x.com', 'a\u0000@x.com', `${'a'.repeat(65)}@x.com`]) {
    assert.equal(tryNormalizeAddress(bad), undefined, bad);
  }
  assert.throws(() => normalizeAddress('a\nb@x.com', 'SenderAddress'), (e: Error & { code?: string }) => e.code === 'OG_ERR_INVALID_ADDRESS' && /SenderAddress 'a\\x0ab@x.com'/.test(e.message));
});

test('a host whose last label is a number is not a domain, in any case (the IDN conversion reads it as IPv4)', () => {
  for (const a of ['a@a.9', 'A@a.9', 'a@a.09', 'a@a.0x1f', 'A@A.0X1F', 'a@a.0x']) assert.equal(tryNormalizeAddress(a), undefined, a);
  for (const a of ['a@a.9a', 'a@a.x9', 'a@1.2.3.com']) assert.equal(tryNormalizeAddress(a), a, a);
});
