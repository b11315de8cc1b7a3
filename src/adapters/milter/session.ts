// One milter connection's conversation (one SMTP session of the MTA, or several after QUIT_NC): turns
// milter commands into stages of a message check (MAIL, RCPT, end of message) and decisions into
// replies. Identity is the SASL login (`{auth_authen}`), else the client address for connectors; the
// check owns the fail mode, metrics and log. No network here: the server feeds it decoded commands
// one at a time, in order.
import type { AuthSession, CheckResult, MessageCheck, SendRequest } from '../../app/check-send.js';
import type { Decision } from '../../domain/decision.js';
import { isReadHeader, type Header } from '../../domain/message-headers.js';
import { replyLine, type ReplyId } from '../../domain/replies.js';
import { CONTINUE, encodeAddHeader, encodeAddRcpt, encodeOptneg, encodeReplyCode, MilterProtocolError, type Macros, type MtaCommand, type Negotiated } from './codec.js';
import { negotiate } from './negotiation.js';
import { Action, Cmd, Proto } from './protocol.js';

/** What the session needs from the checkSend use case: a message check per message. */
export interface MessageChecks {
  begin(id: string, driver: string): MessageCheck;
  /** An SMTP AUTH session of a login starts (concurrent sessions per login); absent: not limited. */
  enterSession?(req: SendRequest): AuthSession;
}

/** Header fields kept per message: the ones read (message-headers.ts), at most this many. */
const MAX_HEADERS = 64;

/** Spam scanning: the whole message is collected for the check, and spam is marked for the high-risk route. */
export interface ContentOptions {
  /** Larger messages are not collected (nor scanned). */
  readonly maxMessageBytes: number;
  /** The header added to spam ('Yes; score=…'), e.g. for a milter_header_checks FILTER. */
  readonly highRiskHeader: string;
}

/** The message as the MTA passed it, while it fits. */
class MessageContent {
  private readonly parts: Buffer[] = [];
  private bytes = 0;
  private headersEnded = false;
  tooLarge = false;
  constructor(private readonly max: number) {}
  header(name: string, value: string): void {
    this.push(Buffer.from(`${name}: ${value.replace(/^ /, '')}\r\n`, 'utf8'));
  }
  body(data: Buffer): void {
    if (!this.headersEnded) this.endHeaders();
    this.push(data);
  }
  message(): Buffer | undefined {
    if (!this.headersEnded) this.endHeaders();
    return this.tooLarge ? undefined : Buffer.concat(this.parts);
  }
  private endHeaders(): void {
    this.headersEnded = true;
    this.push(Buffer.from('\r\n'));
  }
  private push(b: Buffer): void {
    if (this.tooLarge) return;
    this.bytes += b.length;
    if (this.bytes > this.max) {
      this.tooLarge = true;
      this.parts.length = 0;
    } else this.parts.push(b);
  }
}

/** A reply to write, none (MACRO, ABORT), or the end of the connection (QUIT). */
export type Answer = Buffer | null | 'close';

/** Stages whose macros belong to one message: forgotten when it ends or is abandoned. */
const MESSAGE_STAGES = [Cmd.MAIL, Cmd.RCPT, Cmd.DATA, Cmd.HEADER, Cmd.EOH, Cmd.BODY, Cmd.EOB] as const;
/** Where a macro is looked up, latest stage first. */
const LOOKUP_ORDER = [Cmd.EOB, Cmd.EOH, Cmd.DATA, Cmd.RCPT, Cmd.MAIL, Cmd.HELO, Cmd.CONNECT] as const;

interface OpenMessage {
  readonly check: MessageCheck;
  readonly login: string | undefined;
  readonly clientAddress: string | undefined;
  readonly from: string | undefined;
  /** RCPTs answered CONTINUE: the recipients the MTA accepted (Outgate is the last milter to see them). */
  accepted: number;
  /** The header fields the check reads (From, forward marks), as they came. */
  readonly headers: Header[];
  /** The whole message, when spam scanning is on. */
  readonly content: MessageContent | undefined;
}

const replies = new Map<ReplyId, Buffer>();

/**
 * The answer to an MTA's offer, built once per distinct offer: Postfix opens a milter connection per
 * SMTP session and offers the same every time. negotiate() throws for an offer it refuses, uncached.
 */
const negotiations = new Map<string, { readonly negotiated: Negotiated; readonly reply: Buffer }>();
function negotiation(offer: Extract<MtaCommand, { kind: 'optneg' }>, body: boolean): { readonly negotiated: Negotiated; readonly reply: Buffer } {
  const key = `${offer.version} ${offer.actions} ${offer.protocol} ${body}`;
  let n = negotiations.get(key);
  if (n === undefined) {
    const negotiated = negotiate(offer, { body });
    n = { negotiated, reply: encodeOptneg(negotiated) };
    if (negotiations.size < 64) negotiations.set(key, n);
  }
  return n;
}

/** CONTINUE, or the reply table's line as SMFIR_REPLYCODE, sent to the client as written. */
export function replyFor(d: Decision): Buffer {
  if (d.kind === 'permit') return CONTINUE;
  let b = replies.get(d.reply);
  if (b === undefined) {
    b = encodeReplyCode(replyLine(d.reply));
    replies.set(d.reply, b);
  }
  return b;
}

export class MilterSession {
  private negotiated = false;
  private readonly macros = new Map<number, Macros>();
  /** From SMFIC_CONNECT, when the MTA sends it (it does not when `{client_addr}` could be asked for). */
  private connectAddress: string | undefined = undefined;
  private message: OpenMessage | null = null;
  /** Headers get no reply (NR_HDR negotiated). */
  private quietHeaders = false;
  /** The MTA lets Outgate add recipients (ADDRCPT negotiated). */
  private mayAddRecipients = false;
  /** The MTA lets Outgate add headers (ADDHDRS negotiated, when scanning). */
  private mayAddHeaders = false;
  /** This SMTP session's slot among its login's concurrent sessions, from its first authenticated MAIL. */
  private authSession: AuthSession | null = null;

  constructor(
    private readonly checks: MessageChecks,
    /** A message id unique across the counters' users (they hold reservations by it). */
    private readonly nextId: () => string,
    private readonly contentOptions?: ContentOptions,
  ) {}

  /** Answers one command; a promise when the decision waits for the store. Throws MilterProtocolError. */
  handle(cmd: MtaCommand, started: number = performance.now()): Answer | Promise<Answer> {
    if (!this.negotiated && cmd.kind !== 'optneg') throw new MilterProtocolError(`${cmd.kind} before option negotiation`);
    switch (cmd.kind) {
      case 'optneg': {
        if (this.negotiated) throw new MilterProtocolError('option negotiation repeated');
        this.negotiated = true;
        const { negotiated: n, reply } = negotiation(cmd, this.contentOptions !== undefined);
        this.quietHeaders = (n.protocol & Proto.NR_HDR) !== 0;
        this.mayAddRecipients = (n.actions & Action.ADDRCPT) !== 0;
        this.mayAddHeaders = (n.actions & Action.ADDHDRS) !== 0;
        return reply;
      }
      case 'macro':
        this.macros.set(cmd.for, cmd.macros);
        return null;
      case 'connect':
        this.connectAddress = cmd.family === 'inet' || cmd.family === 'inet6' ? cmd.address : undefined;
        return CONTINUE;
      case 'mail':
        return this.mail(cmd.args[0]!, started);
      case 'rcpt':
        return this.rcpt(cmd.args[0]!, started);
      case 'eob':
        return this.end(started);
      case 'abort':
        this.abandon();
        this.forgetMessageMacros();
        return null;
      case 'quit':
        this.abandon();
        this.leaveSession();
        return 'close';
      case 'quit-nc':
        // The next SMTP session on this connection starts afresh (libmilter: close, then a new connect).
        this.abandon();
        this.leaveSession();
        this.macros.clear();
        this.connectAddress = undefined;
        return null;
      case 'header':
        this.header(cmd.name, cmd.value);
        return this.quietHeaders ? null : CONTINUE;
      case 'body':
        this.message?.content?.body(cmd.data);
        return CONTINUE;
      case 'helo':
      case 'data':
      case 'eoh':
      case 'unknown':
        return CONTINUE;
    }
  }

  /** The connection is gone: a message still open will not end here. */
  close(): void {
    this.abandon();
    this.leaveSession();
  }

  private header(name: string, value: string): void {
    const m = this.message;
    if (m === null) return;
    m.content?.header(name, value);
    if (m.headers.length < MAX_HEADERS && isReadHeader(name)) m.headers.push([name, value]);
  }

  private leaveSession(): void {
    this.authSession?.leave();
    this.authSession = null;
  }

  private mail(sender: string, started: number): Answer | Promise<Answer> {
    // Postfix sends ABORT before a new transaction; a new MAIL without it abandons the old one too
    // (but keeps the macros that came for this MAIL).
    this.abandon();
    this.forgetMessageMacros(Cmd.MAIL);
    const login = this.macro('auth_authen') || undefined;
    const clientAddress = this.macro('client_addr') || this.connectAddress;
    // The MTA names the login first at MAIL FROM: the session takes its slot there, until it ends.
    if (login !== undefined && this.authSession === null && this.checks.enterSession) {
      const entered = this.checks.enterSession({ stage: 'mail', login, clientAddress });
      if (entered.decision.kind !== 'permit') return replyFor(entered.decision);
      this.authSession = entered;
    }
    const m: OpenMessage = {
      check: this.checks.begin(this.nextId(), 'milter'),
      login,
      clientAddress,
      from: unbracket(sender),
      accepted: 0,
      headers: [],
      content: this.contentOptions ? new MessageContent(this.contentOptions.maxMessageBytes) : undefined,
    };
    this.message = m;
    return answer(m.check.decide(this.request(m, 'mail'), started));
  }

  private rcpt(recipient: string, started: number): Answer | Promise<Answer> {
    const m = this.message;
    if (m === null) throw new MilterProtocolError('RCPT without MAIL');
    const req: SendRequest = { ...this.request(m, 'rcpt'), recipient: unbracket(recipient) };
    return answer(m.check.decide(req, started), (r) => {
      if (r.decision.kind === 'permit') m.accepted++;
    });
  }

  private end(started: number): Answer | Promise<Answer> {
    const m = this.message;
    if (m === null) return CONTINUE;
    const content = m.content?.message();
    const req: SendRequest = { ...this.request(m, 'end'), recipientCount: m.accepted, headers: m.headers, ...(content ? { content } : {}) };
    // Ended either way: a committed or refused message holds nothing; one the store could not decide
    // releases what it holds now.
    const done = (r: CheckResult): Buffer => {
      this.abandon();
      this.forgetMessageMacros();
      const reply = replyFor(r.decision);
      if (r.decision.kind !== 'permit') return reply;
      // Changes go before the final reply: spam marked for the high-risk route, suspicious mail copied.
      const changes: Buffer[] = [];
      if (r.spam?.spam && this.mayAddHeaders && this.contentOptions) changes.push(encodeAddHeader(this.contentOptions.highRiskHeader, `Yes; score=${r.spam.score.toFixed(2)}; action=${r.spam.action}`));
      if (r.copyTo && this.mayAddRecipients) changes.push(...r.copyTo.map(encodeAddRcpt));
      return changes.length === 0 ? reply : Buffer.concat([...changes, reply]);
    };
    const result = m.check.decide(req, started);
    return result instanceof Promise ? result.then(done) : done(result);
  }

  private request(m: OpenMessage, stage: 'mail' | 'rcpt' | 'end'): SendRequest {
    return { stage, login: m.login, clientAddress: m.clientAddress, from: m.from, messageId: this.macro('i') || undefined };
  }

  private abandon(): void {
    this.message?.check.abandon();
    this.message = null;
  }

  private forgetMessageMacros(keep?: number): void {
    for (const stage of MESSAGE_STAGES) if (stage !== keep) this.macros.delete(stage);
  }

  private macro(name: string): string | undefined {
    for (const stage of LOOKUP_ORDER) {
      const v = this.macros.get(stage)?.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

/** `<alice@contoso.com>` → `alice@contoso.com`; `<>` (the null sender) → undefined. */
function unbracket(address: string): string | undefined {
  const a = address.startsWith('<') && address.endsWith('>') ? address.slice(1, -1) : address;
  return a === '' ? undefined : a;
}

function answer(result: CheckResult | Promise<CheckResult>, after?: (r: CheckResult) => void): Buffer | Promise<Buffer> {
  const reply = (r: CheckResult): Buffer => {
    after?.(r);
    return replyFor(r.decision);
  };
  return result instanceof Promise ? result.then(reply) : reply(result);
}
