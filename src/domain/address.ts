// Address normalization: one mailbox, one key. Lower-cases, converts IDN domains to A-labels (punycode)
// and rejects what is not an address, so the same sender is never counted under two keys.
import { domainToASCII } from 'node:url';
import { Errors, fail } from '../errors.js';

const MAX_ADDRESS = 254; // RFC 5321 §4.5.3.1.3 (path 256 incl. angle brackets)
const MAX_LOCAL = 64; // RFC 5321 §4.5.3.1.1
// dot-atom text (RFC 5322 §3.2.3) plus any non-ASCII character (RFC 6531 SMTPUTF8).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Normalizes a domain to lower-case A-labels, or returns undefined when it is not a host name. */
export function normalizeDomain(raw: string): string | undefined {
  const trimmed = raw.trim().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253 || /[\s\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return undefined;
  return ascii;
}

// Already normalized: lower-case ASCII dot-atom at a lower-case ASCII host. Most addresses on the wire
// look like this, and they need no IDN conversion. A host whose last label is a number (`9`, `0x1f`) is
// read as an IPv4 address by the IDN conversion, which refuses it: so must this (found by fuzzing:
// `a@a.9` passed here while `A@a.9` was refused).
const PLAIN = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!(?:[0-9]+|0x[0-9a-f]*)$)(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** True when `raw` is an address already in normalized form (tryNormalizeAddress would return it as is). */
export function isNormalizedAddress(raw: string): boolean {
  // An `xn--` label must be valid punycode, which only the IDN conversion checks (found by fuzzing:
  // `a@xn--a.test` passed here while `A@xn--a.test` was refused, one mailbox, two answers).
  return raw.length <= MAX_ADDRESS && PLAIN.test(raw) && raw.indexOf('@') <= MAX_LOCAL && !raw.includes('xn--');
}

/** Returns the normalized address or undefined; never throws. */
export function tryNormalizeAddress(raw: string): string | undefined {
  if (isNormalizedAddress(raw)) return raw;
  const s = raw.trim().replace(/^<(.*)>$/, '$1');
  if (s.length === 0 || s.length > MAX_ADDRESS) return undefined;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return undefined;
  const local = s.slice(0, at);
  if (local.length > MAX_LOCAL || !LOCAL_PART.test(local)) return undefined;
  const domain = normalizeDomain(s.slice(at + 1));
  if (domain === undefined) return undefined;
  const address = `${local.toLowerCase()}@${domain}`;
  return address.length <= MAX_ADDRESS ? address : undefined;
}

/** Normalizes an address typed by an admin; refuses it with OG_ERR_INVALID_ADDRESS when malformed. */
export function normalizeAddress(raw: string, field = 'address'): string {
  const address = tryNormalizeAddress(raw);
  if (address === undefined) fail(Errors.INVALID_ADDRESS, `${field} '${printable(raw)}' is not a valid email address.`);
  return address;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/**
 * True when `s` holds a C0 control character or DEL. Postfix never sends one in a login, address or
 * id, and nobody can type or see one: such a value is refused at every driver, never stored.
 */
export function hasControlCharacter(s: string): boolean {
  return CONTROL.test(s);
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Quotes untrusted text for an error sentence: control characters shown escaped, length capped. */
export function printable(raw: string, max = 80): string {
  const escaped = raw
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    // Bidirectional controls would reorder the rest of the message around the echoed value.
    .replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
