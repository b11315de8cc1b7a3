// What Outgate reads in a header: the From address in every form RFC 5322 allows, and the forward
// marks of the MTAs and Sieve implementations listed in message-headers.ts (docs/postfix.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { forwardMark, fromAddress, isReadHeader, type Header } from './message-headers.js';

test('the From address is found in a bare address, a display name, quotes, comments and a list', () => {
  const cases: Array<[string, string | undefined]> = [
    ['ceo@outgate.test', 'ceo@outgate.test'],
    [' CEO@Outgate.Test ', 'ceo@outgate.test'],
    ['The CEO <ceo@outgate.test>', 'ceo@outgate.test'],
    ['"Doe, John <not@this.test>" <john@outgate.test>', 'john@outgate.test'],
    ['john@outgate.test (John (the boss) Doe)', 'john@outgate.test'],
    ['(comment <x@y.test>) Jane <jane@outgate.test>', 'jane@outgate.test'],
    ['a@outgate.test, b@outgate.test', 'a@outgate.test'],
    ['undisclosed', undefined],
    ['<>', undefined],
  ];
  for (const [value, want] of cases) assert.equal(fromAddress([['From', value]]), want, value);
  assert.equal(fromAddress([['Subject', 'x'], ['from', 'A <a@outgate.test>'], ['From', 'b@outgate.test']]), 'a@outgate.test', 'the first From');
  assert.equal(fromAddress([['Sender', 's@outgate.test']]), undefined);
});

test('forward marks: Auto-Submitted only with auto-forwarded, Resent-* and the MTA and Sieve headers always', () => {
  const marked: Header[] = [
    ['Auto-Submitted', ' auto-forwarded'],
    ['Resent-From', 'alice@outgate.test'],
    ['resent-to', 'x@example.com'],
    ['X-Sieve-Redirected-From', 'alice@outgate.test'],
    ['X-MS-Exchange-Inbox-Rules-Loop', 'alice@outgate.test'],
    ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent'],
    ['X-Forwarded-To', 'x@example.com'],
    ['X-Forwarded-For', 'alice@outgate.test x@example.com'],
    ['X-Zimbra-Forwarded', 'x@example.com'],
  ];
  for (const h of marked) {
    assert.ok(forwardMark([['Subject', 'hi'], h]), h.join(': '));
    assert.ok(isReadHeader(h[0]));
  }
  assert.equal(forwardMark([['Auto-Submitted', 'auto-forwarded']]), 'Auto-Submitted: auto-forwarded');
  for (const h of [
    ['Auto-Submitted', 'auto-replied'],
    ['Auto-Submitted', 'no'],
    ['X-MS-Exchange-Generated-Message-Source', 'Transport'],
    ['Received', 'from x'],
    ['X-Loop', 'alice@outgate.test'],
  ] as Header[])
    assert.equal(forwardMark([h]), undefined, h.join(': '));
  assert.ok(isReadHeader('FROM'));
  assert.ok(!isReadHeader('Subject'));
});

test('any header value: no throw, and a found From is a normalized address', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('From', 'Resent-To', 'Auto-Submitted', 'X'), fc.string())), (hs) => {
      const a = fromAddress(hs);
      if (a !== undefined) assert.match(a, /^[^@\s]+@[^@\s]+$/);
      const m = forwardMark(hs);
      if (m !== undefined) assert.ok(m.length <= 200);
    }),
  );
});
