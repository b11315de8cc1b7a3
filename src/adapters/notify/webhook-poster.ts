// Alert webhooks: the JSON body is signed with HMAC-SHA256 over `timestamp + "." + body` with the
// webhook's secret, so a receiver can check it came from us and is fresh (X-Outgate-Timestamp).
import { createHmac } from 'node:crypto';

const TIMEOUT_MS = 10_000;

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function postWebhook(url: string, secret: string, body: string, now: number, userAgent: string): Promise<void> {
  const timestamp = Math.floor(now / 1000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      // A redirect is not followed: the signed body goes only where the admin said.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': userAgent,
        'x-outgate-timestamp': String(timestamp),
        'x-outgate-signature': signature(secret, timestamp, body),
      },
      body,
    });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new Error(`Webhook: ${(err as Error).message}${cause ? ` (${cause.message})` : ''}`);
  }
  await res.body?.cancel();
  if (res.status < 200 || res.status > 299) throw new Error(`Webhook: HTTP ${res.status} from ${new URL(url).host}`);
}
