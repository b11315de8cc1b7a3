// Milter packets (Sendmail milter protocol v6, as Postfix's milter8.c writes them): a 4-byte
// big-endian length that counts the command byte, the command byte, then its data. Decodes every
// command an MTA sends into a value and encodes every reply Outgate sends. Anything Postfix never
// sends (a zero or oversized length, an unknown command, a string without its NUL, data left over)
// is a MilterProtocolError: the server logs it and closes the connection.
import { Cmd, Family, Reply } from './protocol.js';

export class MilterProtocolError extends Error {}

/**
 * Largest packet accepted by default. Postfix sends body chunks of at most 65,535 bytes
 * (MILTER_CHUNK_SIZE) and a header as one packet, up to header_size_limit (102,400 by default), so
 * anything near this is not Postfix.
 */
export const MAX_PACKET_BYTES = 256 * 1024;

export interface Packet {
  readonly command: number;
  readonly data: Buffer;
}

/**
 * Cuts a byte stream into packets; keeps an unfinished one for the next chunk. A length no MTA sends
 * breaks the stream: the packets before it are still returned (they were sent whole), `error` says
 * why, and every later push throws it.
 */
export class PacketReader {
  private rest: Buffer = Buffer.alloc(0);
  private broken: MilterProtocolError | undefined = undefined;

  constructor(private readonly maxBytes: number = MAX_PACKET_BYTES) {}

  /** Bytes of an unfinished packet held for the next chunk. */
  get pending(): number {
    return this.rest.length;
  }

  /** Set once the stream held a length no MTA sends (zero, or above the limit). */
  get error(): MilterProtocolError | undefined {
    return this.broken;
  }

  /** The packets `chunk` completes, in order. */
  push(chunk: Buffer): Packet[] {
    if (this.broken) throw this.broken;
    let buf = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const packets: Packet[] = [];
    let at = 0;
    while (buf.length - at >= 4) {
      const length = buf.readUInt32BE(at);
      if (length === 0 || length > this.maxBytes) {
        this.broken = new MilterProtocolError(
          length === 0 ? 'empty packet (length 0, no command)' : `packet of ${length} bytes is larger than ${this.maxBytes}`,
        );
        this.rest = Buffer.alloc(0);
        return packets;
      }
      if (buf.length - at - 4 < length) break;
      // A copy, so a packet kept by its reader does not pin the whole chunk it came in.
      packets.push({ command: buf[at + 4]!, data: Buffer.from(buf.subarray(at + 5, at + 4 + length)) });
      at += 4 + length;
    }
    buf = buf.subarray(at);
    this.rest = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
    return packets;
  }
}

/** Macro names without braces: Postfix sends `{auth_authen}` and `i` as listed, Sendmail alike. */
export type Macros = ReadonlyMap<string, string>;

export type MtaCommand =
  | { readonly kind: 'optneg'; readonly version: number; readonly actions: number; readonly protocol: number }
  | { readonly kind: 'macro'; readonly for: number; readonly macros: Macros }
  | {
      readonly kind: 'connect';
      readonly hostname: string;
      readonly family: 'unknown' | 'unix' | 'inet' | 'inet6';
      readonly port: number;
      readonly address: string;
    }
  | { readonly kind: 'helo'; readonly name: string }
  | { readonly kind: 'mail'; readonly args: readonly string[] }
  | { readonly kind: 'rcpt'; readonly args: readonly string[] }
  | { readonly kind: 'data' }
  | { readonly kind: 'header'; readonly name: string; readonly value: string }
  | { readonly kind: 'eoh' }
  | { readonly kind: 'body'; readonly bytes: number; readonly data: Buffer }
  | { readonly kind: 'eob' }
  | { readonly kind: 'abort' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'quit-nc' }
  | { readonly kind: 'unknown'; readonly line: string };

const DATA = Object.freeze({ kind: 'data' }) as MtaCommand;
const EOH = Object.freeze({ kind: 'eoh' }) as MtaCommand;
const EOB = Object.freeze({ kind: 'eob' }) as MtaCommand;
const ABORT = Object.freeze({ kind: 'abort' }) as MtaCommand;
const QUIT = Object.freeze({ kind: 'quit' }) as MtaCommand;
const QUIT_NC = Object.freeze({ kind: 'quit-nc' }) as MtaCommand;

/** Decodes one packet from the MTA. Throws MilterProtocolError for anything the protocol does not define. */
export function decodeCommand(p: Packet): MtaCommand {
  const d = p.data;
  switch (p.command) {
    case Cmd.OPTNEG:
      // Three uint32; later versions may append more, which libmilter ignores too.
      if (d.length < 12) throw bad(p, `${d.length} bytes, 12 expected`);
      return { kind: 'optneg', version: d.readUInt32BE(0), actions: d.readUInt32BE(4), protocol: d.readUInt32BE(8) };
    case Cmd.MACRO: {
      if (d.length < 1) throw bad(p, 'no command code');
      const strings = cStrings(p, 1);
      if (strings.length % 2 !== 0) throw bad(p, `macro ${JSON.stringify(strings.at(-1))} has no value`);
      const macros = new Map<string, string>();
      for (let i = 0; i < strings.length; i += 2) macros.set(unbrace(strings[i]!), strings[i + 1]!);
      return { kind: 'macro', for: d[0]!, macros };
    }
    case Cmd.CONNECT: {
      const end = d.indexOf(0);
      if (end === -1 || end + 1 >= d.length) throw bad(p, 'no address family');
      const hostname = d.toString('utf8', 0, end);
      const family = d[end + 1]!;
      if (family === Family.UNKNOWN) {
        if (end + 2 !== d.length) throw bad(p, 'data after an unknown address family');
        return { kind: 'connect', hostname, family: 'unknown', port: 0, address: '' };
      }
      if (family !== Family.INET && family !== Family.INET6 && family !== Family.UNIX)
        throw bad(p, `unknown address family 0x${family.toString(16)}`);
      if (d.length < end + 4) throw bad(p, 'no port');
      const port = d.readUInt16BE(end + 2);
      const [address] = exactly(p, end + 4, 1);
      return {
        kind: 'connect',
        hostname,
        family: family === Family.INET ? 'inet' : family === Family.INET6 ? 'inet6' : 'unix',
        port,
        address: address!,
      };
    }
    case Cmd.HELO:
      return { kind: 'helo', name: exactly(p, 0, 1)[0]! };
    case Cmd.MAIL:
    case Cmd.RCPT: {
      const args = cStrings(p, 0);
      if (args.length === 0) throw bad(p, 'no address');
      return { kind: p.command === Cmd.MAIL ? 'mail' : 'rcpt', args };
    }
    case Cmd.HEADER: {
      const [name, value] = exactly(p, 0, 2);
      return { kind: 'header', name: name!, value: value! };
    }
    case Cmd.BODY:
      return { kind: 'body', bytes: d.length, data: d };
    case Cmd.EOB:
      // Protocol version 2 lets the last body chunk ride on EOB; it is not read.
      return EOB;
    case Cmd.UNKNOWN:
      return { kind: 'unknown', line: exactly(p, 0, 1)[0]! };
    case Cmd.DATA:
      return empty(p, DATA);
    case Cmd.EOH:
      return empty(p, EOH);
    case Cmd.ABORT:
      return empty(p, ABORT);
    case Cmd.QUIT:
      return empty(p, QUIT);
    case Cmd.QUIT_NC:
      return empty(p, QUIT_NC);
    default:
      throw new MilterProtocolError(`unknown command ${describe(p.command)}`);
  }
}

function describe(command: number): string {
  return command >= 0x21 && command <= 0x7e ? `'${String.fromCharCode(command)}'` : `0x${command.toString(16).padStart(2, '0')}`;
}

function bad(p: Packet, why: string): MilterProtocolError {
  return new MilterProtocolError(`malformed ${describe(p.command)} packet: ${why}`);
}

function empty(p: Packet, c: MtaCommand): MtaCommand {
  if (p.data.length !== 0) throw bad(p, `${p.data.length} unexpected bytes`);
  return c;
}

/** NUL-terminated strings from `from` to the end; the data must end with a NUL. */
function cStrings(p: Packet, from: number): string[] {
  const d = p.data;
  const out: string[] = [];
  let at = from;
  while (at < d.length) {
    const end = d.indexOf(0, at);
    if (end === -1) throw bad(p, 'string without its NUL');
    out.push(d.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}

function exactly(p: Packet, from: number, n: number): string[] {
  const s = cStrings(p, from);
  if (s.length !== n) throw bad(p, `${s.length} strings, ${n} expected`);
  return s;
}

function unbrace(name: string): string {
  return name.length > 2 && name.startsWith('{') && name.endsWith('}') ? name.slice(1, -1) : name;
}

function packet(command: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + data.length);
  out.writeUInt32BE(1 + data.length, 0);
  out[4] = command;
  data.copy(out, 5);
  return out;
}

/** The replies without data, built once. */
export const CONTINUE = packet(Reply.CONTINUE);
export const ACCEPT = packet(Reply.ACCEPT);
export const REJECT = packet(Reply.REJECT);
export const TEMPFAIL = packet(Reply.TEMPFAIL);

/**
 * SMFIR_REPLYCODE: the SMTP reply the MTA sends as written ("550 5.1.8 Access denied, bad outbound
 * sender"). Postfix (milter8.c) takes only a 4xx/5xx code whose enhanced status class matches, and
 * reads `%%` as `%`; a line break or NUL would end or split the reply.
 */
export function encodeReplyCode(line: string): Buffer {
  if (!/^[45]\d\d [45]\.\d{1,3}\.\d{1,3} [^\r\n\0]+$/.test(line) || line[0] !== line[4])
    throw new Error(`not a milter reply: ${JSON.stringify(line)}`);
  return packet(Reply.REPLYCODE, Buffer.from(`${line.replaceAll('%', '%%')}\0`, 'utf8'));
}

/** SMFIR_ADDRCPT: one more envelope recipient for the message (sent before the end-of-message reply). */
export function encodeAddRcpt(address: string): Buffer {
  if (/[\0\r\n<>]/.test(address)) throw new Error(`not an address to add: ${JSON.stringify(address)}`);
  return packet(Reply.ADDRCPT, Buffer.from(`<${address}>\0`, 'utf8'));
}

/** SMFIR_ADDHEADER: a header appended to the message (sent before the end-of-message reply). */
export function encodeAddHeader(name: string, value: string): Buffer {
  if (!/^[A-Za-z0-9-]+$/.test(name) || /[\0\r\n]/.test(value)) throw new Error(`not a header to add: ${JSON.stringify([name, value])}`);
  return packet(Reply.ADDHEADER, Buffer.from(`${name}\0${value}\0`, 'utf8'));
}

export interface Negotiated {
  readonly version: number;
  readonly actions: number;
  readonly protocol: number;
  /** SETSYMLIST: for each macro stage (SMFIM_*), the space-separated macro names wanted there. */
  readonly macros: ReadonlyArray<readonly [stage: number, names: string]>;
}

/** The OPTNEG reply: version, actions, protocol, then (v6) each stage's macro list as uint32 + string\0. */
export function encodeOptneg(n: Negotiated): Buffer {
  const lists = n.macros.map(([stage, names]) => {
    const b = Buffer.alloc(4 + Buffer.byteLength(names) + 1);
    b.writeUInt32BE(stage, 0);
    b.write(names, 4);
    return b;
  });
  const head = Buffer.alloc(12);
  head.writeUInt32BE(n.version, 0);
  head.writeUInt32BE(n.actions, 4);
  head.writeUInt32BE(n.protocol, 8);
  return packet(Reply.OPTNEG, Buffer.concat([head, ...lists]));
}
