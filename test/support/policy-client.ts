// A Postfix-like policy client for tests: one persistent connection, one request at a time, and a
// clear signal when the server hangs up without a reply (what it must do on malformed input).
import { connect, type Socket } from 'node:net';

export const HANG_UP = 'HANG-UP';

export class PolicyClient {
  private buffer = '';
  private waiting: ((reply: string) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      const end = this.buffer.indexOf('\n\n');
      if (end !== -1 && this.waiting) {
        const reply = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const w = this.waiting;
        this.waiting = null;
        w(reply);
      }
    });
    socket.on('close', () => this.waiting?.(HANG_UP));
    socket.on('error', () => undefined);
  }

  /** `from`: a loopback address to connect from (127.0.0.2, …), to act as another client host. */
  static open(port: number, from?: string): Promise<PolicyClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(new PolicyClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends raw bytes and resolves with the `action=` line, or HANG_UP. */
  raw(bytes: string, timeoutMs = 10_000): Promise<string> {
    if (!this.socket.destroyed) this.socket.write(bytes);
    return this.next(timeoutMs);
  }

  ask(attrs: Record<string, string | number>): Promise<string> {
    return this.raw(encodeRequest(attrs));
  }

  /** Writes several requests at once (as a pipelining client would) and collects that many replies. */
  async pipeline(requests: ReadonlyArray<Record<string, string | number>>): Promise<string[]> {
    const replies = [await this.raw(requests.map(encodeRequest).join(''))];
    while (replies.length < requests.length) replies.push(await this.next());
    return replies;
  }

  /** The next reply, already received or still to come, or HANG_UP. */
  private next(timeoutMs = 10_000): Promise<string> {
    const end = this.buffer.indexOf('\n\n');
    if (end !== -1) {
      const reply = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      return Promise.resolve(reply);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      if (this.socket.destroyed) this.waiting(HANG_UP);
    });
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
}

/** One policy request as Postfix writes it, with the attributes every request carries. */
function encodeRequest(attrs: Record<string, string | number>): string {
  const all = { request: 'smtpd_access_policy', protocol_name: 'ESMTP', client_address: '127.0.0.1', ...attrs };
  return `${Object.entries(all)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n\n`;
}

let nextInstance = 1;

/** Sends one message as Postfix asks about it: RCPT per recipient, then END-OF-MESSAGE. */
export async function sendMessage(
  c: PolicyClient,
  m: { login?: string; from?: string; to: string[]; client?: string },
): Promise<{ rcpt: string[]; end: string }> {
  const instance = `t.${process.pid}.${nextInstance++}`;
  const common = { sasl_username: m.login ?? '', sender: m.from ?? m.login ?? '', instance, client_address: m.client ?? '127.0.0.1' };
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
