// Proves each limiting server really enforces its configured per-sender limit (so the bench measures a live check, not a no-op rule).
import net from 'node:net';
import { eomRequest, rcptRequest } from './request.js';
import { HOST, type ServerSpec } from './servers/common.js';

export interface LimitCheck {
  server: string;
  limit: number;
  /** 1-based index of the first request answered with something other than DUNNO/OK, or null. */
  firstNonAdmitAt: number | null;
  action: string | null;
  requests: number;
  error?: string;
}

const LIMIT = 4;
const MESSAGES = 6; // 12 recipients from one sender: three times the limit, whatever the counting stage

/** Sequential single-connection session: RCPT, RCPT, END-OF-MESSAGE per message, like the load generator. */
async function session(port: number): Promise<{ first: number | null; action: string | null; n: number }> {
  const sock = net.connect({ host: HOST, port, noDelay: true });
  await new Promise<void>((res, rej) => sock.once('connect', res).once('error', rej));
  let buf = '';
  let waiter: ((s: string) => void) | null = null;
  sock.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const end = buf.indexOf('\n\n');
    if (end >= 0 && waiter) {
      const reply = buf.slice(0, end);
      buf = buf.slice(end + 2);
      waiter(reply);
    }
  });
  const ask = (req: string): Promise<string> =>
    new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('reply timeout')), 5_000);
      waiter = (s) => {
        clearTimeout(t);
        res(s);
      };
      sock.write(req);
    });
  const sender = 'limitcheck@outgate.test';
  const eom = eomRequest(2);
  let n = 0;
  try {
    for (let m = 0; m < MESSAGES; m++) {
      const instance = `limitcheck.${m}`;
      for (const req of [
        rcptRequest({ sender, sasl_username: sender, instance, recipient: `colleague${m}@outgate.test` }),
        rcptRequest({ sender, sasl_username: sender, instance, recipient: `contact${m}@example.net` }),
        eom({ sender, sasl_username: sender, instance, recipient: '' }),
      ]) {
        n++;
        const action = (await ask(req)).replace(/^action=/, '');
        if (!/^(DUNNO|OK)$/i.test(action)) return { first: n, action, n };
      }
    }
    return { first: null, action: null, n };
  } finally {
    sock.destroy();
  }
}

export async function checkLimit(spec: ServerSpec): Promise<LimitCheck> {
  let running;
  try {
    running = await spec.start({ recipientsPerHour: LIMIT });
  } catch (e) {
    return { server: spec.name, limit: LIMIT, firstNonAdmitAt: null, action: null, requests: 0, error: (e as Error).message };
  }
  try {
    const r = await session(running.port);
    return { server: spec.name, limit: LIMIT, firstNonAdmitAt: r.first, action: r.action, requests: r.n };
  } catch (e) {
    return { server: spec.name, limit: LIMIT, firstNonAdmitAt: null, action: null, requests: 0, error: (e as Error).message };
  } finally {
    await running.stop();
  }
}
