// The Postfix SMTPD policy delegation protocol (SMTPD_POLICY_README; spec anchors.md §4): requests
// are `name=value` lines ended by an empty line, the reply is one `action=…` line and an empty line.
// Attributes come in any order; unknown ones are checked for form and ignored; a repeated name keeps
// the last value.

/** The attributes Outgate reads; absent ones are empty, as Postfix sends unavailable values. */
export interface Attributes {
  request: string;
  protocol_state: string;
  sasl_username: string;
  client_address: string;
  sender: string;
  recipient: string;
  recipient_count: string;
  queue_id: string;
  instance: string;
}

const empty = (): Attributes => ({
  request: '',
  protocol_state: '',
  sasl_username: '',
  client_address: '',
  sender: '',
  recipient: '',
  recipient_count: '',
  queue_id: '',
  instance: '',
});

export class ProtocolError extends Error {}

export interface Decoded {
  requests: Attributes[];
  /** Bytes of an unfinished request, kept for the next chunk. */
  rest: string;
}

/**
 * Splits buffered input into complete requests. Throws ProtocolError for input Postfix never sends:
 * a line without `=`, a NUL, a request other than smtpd_access_policy, a recipient_count that is not
 * an unsigned decimal, a control character in a value Outgate reads, or more than `maxBytes`.
 */
export function decode(buffer: string, maxBytes: number): Decoded {
  if (buffer.indexOf('\u0000') !== -1) throw new ProtocolError('NUL in request');
  const requests: Attributes[] = [];
  // One pass over the lines: a request ends at its empty line, so its end is not searched for first.
  let start = 0;
  let attrs: Attributes | null = null;
  let lineStart = 0;
  for (;;) {
    const lineEnd = buffer.indexOf('\n', lineStart);
    if (lineEnd === -1) break;
    if (lineEnd - start > maxBytes) throw new ProtocolError(`request larger than ${maxBytes} bytes`);
    if (lineEnd === lineStart) {
      if (attrs === null) throw new ProtocolError('empty request');
      if (attrs.request !== 'smtpd_access_policy') throw new ProtocolError(`unsupported request ${JSON.stringify(attrs.request)}`);
      requests.push(attrs);
      attrs = null;
      start = lineEnd + 1;
    } else {
      parseLine((attrs ??= empty()), buffer, lineStart, lineEnd);
    }
    lineStart = lineEnd + 1;
  }
  const rest = start === 0 ? buffer : buffer.slice(start);
  if (rest.length > maxBytes) throw new ProtocolError(`request larger than ${maxBytes} bytes`);
  return { requests, rest };
}

const CR = 13;

/** One `name=value` line; only the names Outgate reads are taken (and their values checked). */
function parseLine(attrs: Attributes, buffer: string, lineStart: number, lineEnd: number): void {
  const eq = buffer.indexOf('=', lineStart);
  if (eq === -1 || eq >= lineEnd || eq === lineStart) throw malformed(buffer, lineStart, lineEnd);
  if (!isKnown(eq - lineStart)) return;
  // Tolerate CRLF from hand-typed tests; Postfix itself sends bare LF.
  const valueEnd = buffer.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
  assign(attrs, buffer, lineStart, eq, valueEnd);
}

/**
 * The value rules, checked on the buffer as each value Outgate reads is taken (no second pass, no
 * regular expression per value): no C0 control character or DEL, which Postfix never sends in a login,
 * address or id; and recipient_count an unsigned decimal (empty before DATA in some states) of at most
 * 9 digits, Postfix's recipient limits being far below that (Number() alone would take -1, 1e3 or 0x10).
 */
function checkValue(buffer: string, from: number, to: number, count: boolean): void {
  if (count && to - from > 9) throw notACount(buffer, from, to);
  for (let i = from; i < to; i++) {
    const c = buffer.charCodeAt(i);
    if (count && (c < 0x30 || c > 0x39)) throw notACount(buffer, from, to);
    if (c < 0x20 || c === 0x7f) throw new ProtocolError('control character in an attribute value');
  }
}

function notACount(buffer: string, from: number, to: number): ProtocolError {
  return new ProtocolError(`recipient_count ${JSON.stringify(buffer.slice(from, Math.min(to, from + 20)))} is not a count`);
}

function malformed(buffer: string, lineStart: number, lineEnd: number): ProtocolError {
  return new ProtocolError(`malformed attribute line ${JSON.stringify(buffer.slice(lineStart, Math.min(lineEnd, lineStart + 60)))}`);
}

/** Lengths of the names Outgate reads: most of the ~29 lines of a request are skipped on this alone. */
function isKnown(length: number): boolean {
  return length === 6 || length === 7 || length === 8 || length === 9 || length === 13 || length === 14 || length === 15;
}

/** Stores a known attribute (its value checked); each name is its own property store, so V8 keeps the object's shape fast. */
function assign(a: Attributes, buffer: string, start: number, eq: number, valueEnd: number): void {
  const from = eq + 1;
  switch (eq - start) {
    case 6:
      if (buffer.startsWith('sender', start)) a.sender = value(buffer, from, valueEnd);
      break;
    case 7:
      if (buffer.startsWith('request', start)) a.request = buffer.slice(from, valueEnd);
      break;
    case 8:
      if (buffer.startsWith('instance', start)) a.instance = value(buffer, from, valueEnd);
      else if (buffer.startsWith('queue_id', start)) a.queue_id = value(buffer, from, valueEnd);
      break;
    case 9:
      if (buffer.startsWith('recipient', start)) a.recipient = value(buffer, from, valueEnd);
      break;
    case 13:
      if (buffer.startsWith('sasl_username', start)) a.sasl_username = value(buffer, from, valueEnd);
      break;
    case 14:
      if (buffer.startsWith('protocol_state', start)) a.protocol_state = value(buffer, from, valueEnd);
      else if (buffer.startsWith('client_address', start)) a.client_address = value(buffer, from, valueEnd);
      break;
    case 15:
      if (buffer.startsWith('recipient_count', start)) {
        checkValue(buffer, from, valueEnd, true);
        a.recipient_count = buffer.slice(from, valueEnd);
      }
      break;
  }
}

function value(buffer: string, from: number, to: number): string {
  checkValue(buffer, from, to, false);
  return buffer.slice(from, to);
}

/** `action=550 5.1.8 Access denied, bad outbound sender\n\n` */
export function encodeAction(action: string): string {
  return `action=${action}\n\n`;
}
