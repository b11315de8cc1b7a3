// Alert webhooks: the JSON body is signed with HMAC-SHA256 over `timestamp + "." + body` with the
// webhook's secret, so a receiver can check it came from us and is fresh (X-Outgate-Timestamp).
// The connection goes to the address checked against the target policy, redirects are not followed,
// and the error kept on the alert says only "delivery failed" or the HTTP status the peer answered:
// anything more (refused, timed out, not allowed) would map the network for whoever made the webhook.
import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkedTarget, systemResolve, type Resolve, type TargetPolicy } from './webhook-target.js';

const TIMEOUT_MS = 10_000;

export const DELIVERY_FAILED = 'Webhook: delivery failed';

export interface PostOptions {
  readonly userAgent: string;
  readonly policy: TargetPolicy;
  readonly resolve?: Resolve;
  /** The detail an operator needs (kept out of the stored error); the server logs it. */
  readonly onFailure?: (url: string, detail: string) => void;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function postWebhook(url: string, secret: string, body: string, now: number, opts: PostOptions): Promise<void> {
  const timestamp = Math.floor(now / 1000);
  let status: number;
  try {
    const target = new URL(url);
    const checked = await checkedTarget(target, opts.policy, opts.resolve ?? systemResolve);
    status = await send(target, checked, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': opts.userAgent,
      'x-outgate-timestamp': String(timestamp),
      'x-outgate-signature': signature(secret, timestamp, body),
    }, body);
  } catch (err) {
    opts.onFailure?.(url, (err as Error).message);
    throw new Error(DELIVERY_FAILED);
  }
  // A redirect is an answer too, and is not followed: the signed body goes only where the admin said.
  if (status < 200 || status > 299) {
    opts.onFailure?.(url, `HTTP ${status}`);
    throw new Error(`Webhook: HTTP ${status}`);
  }
}

/**
 * One POST to the checked address. The request names the URL's host (Host header, TLS name and
 * certificate check as usual); only the lookup is ours, and answers with the address already checked.
 */
function send(url: URL, to: { address: string; family: 4 | 6 }, headers: Record<string, string>, body: string): Promise<number> {
  const https = url.protocol === 'https:';
  const lookup: LookupFunction = (_host, options, done) => {
    if (options.all) (done as unknown as (e: null, a: LookupAddress[]) => void)(null, [to]);
    else done(null, to.address, to.family);
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        lookup,
        agent: false,
        timeout: TIMEOUT_MS,
      },
      (res: IncomingMessage) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
