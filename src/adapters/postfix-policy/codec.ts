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

/** The attributes read, by name length: a request has ~29 lines, and most are not sliced at all. */
const NAMES_BY_LENGTH: ReadonlyMap<number, ReadonlyArray<keyof Attributes>> = (() => {
  const m = new Map<number, Array<keyof Attributes>>();
  for (const name of Object.keys(empty()) as Array<keyof Attributes>) m.set(name.length, [...(m.get(name.length) ?? []), name]);
  return m;
})();

function knownName(buffer: string, start: number, eq: number): keyof Attributes | undefined {
  const candidates = NAMES_BY_LENGTH.get(eq - start);
  if (candidates) for (const name of candidates) if (buffer.startsWith(name, start)) return name;
  return undefined;
}

export interface Decoded {
  requests: Attributes[];
  /** Bytes of an unfinished request, kept for the next chunk. */
  rest: string;
}

/**
 * Splits buffered input into complete requests. Throws ProtocolError for input Postfix never sends:
 * a line without `=`, a NUL, a request other than smtpd_access_policy, or more than `maxBytes`.
 */
export function decode(buffer: string, maxBytes: number): Decoded {
  const requests: Attributes[] = [];
  let start = 0;
  for (;;) {
    const end = buffer.indexOf('\n\n', start);
    if (end === -1) break;
    if (end - start > maxBytes) throw new ProtocolError(`request larger than ${maxBytes} bytes`);
    requests.push(parseBlock(buffer, start, end));
    start = end + 2;
  }
  const rest = start === 0 ? buffer : buffer.slice(start);
  if (rest.length > maxBytes) throw new ProtocolError(`request larger than ${maxBytes} bytes`);
  return { requests, rest };
}

function parseBlock(buffer: string, start: number, end: number): Attributes {
  if (end - start > 0 && buffer.charCodeAt(start) === 10) throw new ProtocolError('empty request');
  const nul = buffer.indexOf('\u0000', start);
  if (nul !== -1 && nul < end) throw new ProtocolError('NUL in request');
  const attrs = empty();
  let lineStart = start;
  while (lineStart <= end) {
    let lineEnd = buffer.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    const eq = buffer.indexOf('=', lineStart);
    if (eq === -1 || eq >= lineEnd || eq === lineStart) {
      throw new ProtocolError(`malformed attribute line ${JSON.stringify(buffer.slice(lineStart, Math.min(lineEnd, lineStart + 60)))}`);
    }
    const name = knownName(buffer, lineStart, eq);
    if (name) {
      // Tolerate CRLF from hand-typed tests; Postfix itself sends bare LF.
      const valueEnd = buffer.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
      attrs[name] = buffer.slice(eq + 1, valueEnd);
    }
    lineStart = lineEnd + 1;
  }
  if (attrs.request !== 'smtpd_access_policy') throw new ProtocolError(`unsupported request ${JSON.stringify(attrs.request)}`);
  return attrs;
}

/** `action=550 5.1.8 Access denied, bad outbound sender\n\n` */
export function encodeAction(action: string): string {
  return `action=${action}\n\n`;
}
