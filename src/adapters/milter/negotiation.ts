// Option negotiation: what Outgate asks the MTA for. Only the events it decides on (MAIL, RCPT, the
// headers, end of message; the body only when it is scanned) and only the macros it reads there, so
// Postfix sends no HELO or DATA and waits for no reply it does not need (headers are read unanswered). Postfix (milter8.c) replaces ALL its milter_*_macros lists by the ones
// a milter sends (stages not listed get none), and reads them whenever they are sent.
import type { MtaCommand, Negotiated } from './codec.js';
import { MilterProtocolError } from './codec.js';
import { Action, MacroStage, OLDEST_VERSION, PROTOCOL_VERSION, Proto } from './protocol.js';

/**
 * The macros read, by stage. `{auth_authen}` (the SASL login) and `{client_addr}` (for connectors)
 * at MAIL, where Postfix has both (MILTER_README: `{auth_authen}` at MAIL, DATA, EOH, EOM); the queue
 * id `i` at RCPT (known from the second recipient on) and at end of message, for the decision log.
 */
export const WANTED_MACROS: ReadonlyArray<readonly [number, string]> = [
  [MacroStage.ENVFROM, '{auth_authen} {client_addr}'],
  [MacroStage.ENVRCPT, 'i'],
  [MacroStage.EOM, 'i'],
];

/**
 * Events never decided on: the MTA is asked not to send them (if it offers to leave them out). DATA is
 * not among them although nothing is decided there: Postfix sends the DATA macros anyway, alone, and
 * without a DATA command to answer the next write waits on Nagle and the delayed ACK, ~40 ms a message
 * (bench/postfix/milter-gaps.ts --skip-data shows it). Answering DATA costs one loopback round trip.
 */
const UNWANTED = Proto.NOHELO | Proto.NOEOH | Proto.NOUNKNOWN;

export interface NegotiateOptions {
  /** The body is wanted (an outbound spam scan reads it, and spam gets a header); otherwise the MTA is asked not to send it. */
  readonly body?: boolean;
}

export function negotiate(offer: Extract<MtaCommand, { kind: 'optneg' }>, opts: NegotiateOptions = {}): Negotiated {
  if (offer.version < OLDEST_VERSION)
    throw new MilterProtocolError(`MTA protocol version ${offer.version} is older than ${OLDEST_VERSION}`);
  const version = Math.min(offer.version, PROTOCOL_VERSION);
  // Without SETSYMLIST (an MTA before protocol 6) `{client_addr}` cannot be asked for: the client's
  // address then comes from the CONNECT event, so that event is wanted; `{auth_authen}` is in the
  // default MAIL macros of both Postfix and Sendmail.
  const symlist = version >= 6 && (offer.actions & Action.SETSYMLIST) !== 0;
  // Headers are only read (the From, forward marks): no reply each when the MTA allows it (NR_HDR).
  const unwanted = UNWANTED | Proto.NR_HDR | (symlist ? Proto.NOCONNECT : 0) | (opts.body ? 0 : Proto.NOBODY);
  return {
    version,
    // ADDRCPT: copies of suspicious messages to the default policy's BCC recipients; ADDHDRS (when
    // scanning): the high-risk mark on spam.
    actions: (symlist ? Action.SETSYMLIST : 0) | (offer.actions & Action.ADDRCPT) | (opts.body ? offer.actions & Action.ADDHDRS : 0),
    // Only flags the MTA offered: asking for one it did not is a protocol error to some MTAs.
    protocol: unwanted & offer.protocol,
    macros: symlist ? WANTED_MACROS : [],
  };
}
