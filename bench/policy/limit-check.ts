// Proves each limiting server really enforces its configured per-sender limit (so the bench measures a live check, not a no-op rule).
import { PolicyClient } from '../../src/adapters/postfix-policy/client.js';
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
  const client = await PolicyClient.open(port, HOST);
  const ask = (req: string): Promise<string> => client.raw(req, 5_000);
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
    client.close();
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
