// A Postfix policy-protocol client, as smtpd talks to us: one connection, one request in flight, and
// a clear signal when the server hangs up without a reply. Used by the demo, the tests and the bench.
import { connect, type Socket } from 'node:net';

/** What a request resolves to when the server closes the connection instead of replying. */
export const HANG_UP = 'HANG-UP';

export type RequestAttributes = Readonly<Record<string, string | number>>;

/** One policy request as Postfix writes it, with the attributes every request carries. */
export function encodeRequest(attrs: RequestAttributes): string {
  const all = { request: 'smtpd_access_policy', protocol_name: 'ESMTP', client_address: '127.0.0.1', ...attrs };
  let out = '';
  for (const [k, v] of Object.entries(all)) out += `${k}=${v}\n`;
  return `${out}\n`;
}

export class PolicyClient {
  private buffer = '';
  private waiting: ((reply: string) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (d: string) => {
      this.buffer += d;
      if (this.waiting && this.buffer.includes('\n\n')) {
        const w = this.waiting;
        this.waiting = null;
        w(this.takeReply()!);
      }
    });
    socket.on('close', () => this.waiting?.(HANG_UP));
    socket.on('error', () => undefined);
  }

  /** `from`: the local address to connect from (127.0.0.2, …: another client host, on loopback). */
  static open(port: number, host = '127.0.0.1', from?: string): Promise<PolicyClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, localAddress: from }, () => resolve(new PolicyClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends raw bytes and resolves with the reply (the `action=` line), or HANG_UP. */
  raw(bytes: string, timeoutMs = 10_000): Promise<string> {
    if (!this.socket.destroyed) this.socket.write(bytes);
    return this.next(timeoutMs);
  }

  ask(attrs: RequestAttributes, timeoutMs?: number): Promise<string> {
    return this.raw(encodeRequest(attrs), timeoutMs);
  }

  /** Writes several requests at once (as a pipelining client would) and collects that many replies. */
  async pipeline(requests: readonly RequestAttributes[]): Promise<string[]> {
    const replies = [await this.raw(requests.map(encodeRequest).join(''))];
    while (replies.length < requests.length) replies.push(await this.next());
    return replies;
  }

  /** Resolves once the connection is closed (by the server, or by us). */
  whenClosed(): Promise<void> {
    return this.socket.destroyed ? Promise.resolve() : new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /** True once the server closed the connection (or we did). */
  get closed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }

  close(): void {
    this.socket.destroy();
  }

  /** The next reply, already received or still to come, or HANG_UP. */
  private next(timeoutMs = 10_000): Promise<string> {
    const reply = this.takeReply();
    if (reply !== undefined) return Promise.resolve(reply);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      if (this.socket.destroyed) this.waiting(HANG_UP);
    });
  }

  private takeReply(): string | undefined {
    const end = this.buffer.indexOf('\n\n');
    if (end === -1) return undefined;
    const reply = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end + 2);
    return reply;
  }
}

let nextInstance = 1;

/**
 * Sends one message as Postfix asks about it: RCPT per recipient, then END-OF-MESSAGE with those
 * accepted (none accepted: no END-OF-MESSAGE, `end` is 'not-sent').
 */
export async function sendMessage(
  c: PolicyClient,
  m: { login?: string; from?: string; to: readonly string[]; client?: string; queueId?: string },
): Promise<{ rcpt: string[]; end: string }> {
  const instance = `c.${process.pid}.${nextInstance++}`;
  const common = { sasl_username: m.login ?? '', sender: m.from ?? m.login ?? '', instance, client_address: m.client ?? '127.0.0.1', queue_id: m.queueId ?? '' };
  const rcpt: string[] = [];
  const accepted: string[] = [];
  for (const to of m.to) {
    const r = await c.ask({ ...common, protocol_state: 'RCPT', recipient: to, recipient_count: 0 });
    rcpt.push(r);
    if (r === 'action=DUNNO') accepted.push(to);
  }
  if (accepted.length === 0) return { rcpt, end: 'not-sent' };
  const end = await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: accepted.length === 1 ? accepted[0]! : '', recipient_count: accepted.length });
  return { rcpt, end };
}
