// What Outgate reads in a message's header (docs/postfix.md, "Content checks"): the From address, which
// selects the outbound spam policy as in EOP (docs/spec.md §3: by the 5322.From), and the marks an
// automatic forward leaves (docs/spec.md §3, AutoForwardingMode). Pure: a driver hands the headers over.
import { tryNormalizeAddress } from './address.js';

/** One header field as the MTA passes it: name and unfolded value. */
export type Header = readonly [name: string, value: string];

/**
 * Headers that say a message is an automatic forward, and the value that says so (undefined: present
 * at all). Sources: RFC 3834 / RFC 5436 (`Auto-Submitted: auto-forwarded`), RFC 5322 §3.6.6
 * (`Resent-*`, added by redirecting MUAs, procmail/formail and some Sieve `redirect`s), Dovecot
 * Pigeonhole Sieve (`X-Sieve-Redirected-From`), Exchange inbox rules (`X-MS-Exchange-Inbox-Rules-Loop`,
 * `X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent`), Gmail and Google Workspace
 * (`X-Forwarded-To`, `X-Forwarded-For`), Zimbra (`X-Zimbra-Forwarded`).
 */
const FORWARD_MARKS: ReadonlyMap<string, RegExp | undefined> = new Map([
  ['auto-submitted', /^\s*auto-forwarded\b/i],
  ['resent-from', undefined],
  ['resent-sender', undefined],
  ['resent-to', undefined],
  ['resent-cc', undefined],
  ['resent-bcc', undefined],
  ['resent-date', undefined],
  ['resent-message-id', undefined],
  ['x-sieve-redirected-from', undefined],
  ['x-ms-exchange-inbox-rules-loop', undefined],
  ['x-ms-exchange-generated-message-source', /mailbox rules agent/i],
  ['x-forwarded-to', undefined],
  ['x-forwarded-for', undefined],
  ['x-zimbra-forwarded', undefined],
]);

/** The header names a driver needs to keep (everything else may be dropped as it arrives). */
export function isReadHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'from' || FORWARD_MARKS.has(n);
}

/** The first header that marks an automatic forward, as `Name: value`; undefined when none does. */
export function forwardMark(headers: readonly Header[]): string | undefined {
  for (const [name, value] of headers) {
    const n = name.toLowerCase();
    if (!FORWARD_MARKS.has(n)) continue;
    const wants = FORWARD_MARKS.get(n);
    if (wants === undefined || wants.test(value)) return `${name}: ${value.trim()}`.slice(0, 200);
  }
  return undefined;
}

/**
 * The address of the (first) From header, normalized; undefined when there is none or it holds no
 * valid address. Handles `Name <addr>`, a bare `addr`, quoted display names and (comments).
 */
export function fromAddress(headers: readonly Header[]): string | undefined {
  const from = headers.find(([n]) => n.toLowerCase() === 'from');
  if (from === undefined) return undefined;
  const v = stripComments(from[1].replace(/"(?:[^"\\]|\\.)*"/g, '""'));
  const angle = /<([^<>]*)>/.exec(v);
  // A group or list: the first mailbox is the author EOP keys on.
  const raw = angle ? angle[1]! : (v.split(',')[0] ?? '');
  return tryNormalizeAddress(raw.trim());
}

function stripComments(s: string): string {
  let out = s;
  // Comments nest (RFC 5322 §3.2.2): peel the innermost ones until none is left.
  for (let i = 0; i < 8 && out.includes('('); i++) out = out.replace(/\([^()]*\)/g, ' ');
  return out;
}
