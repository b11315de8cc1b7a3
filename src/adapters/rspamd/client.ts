// Asks Rspamd (its normal worker's HTTP protocol, POST /checkv2) about one outbound message. Rspamd's
// `action` is its verdict: `reject`, `soft reject`, `rewrite subject` and `add header` mean spam (the
// message would be refused, delayed or marked as spam inbound); `greylist` and `no action` do not.
import type { ScanRequest, SpamScanner } from '../../app/ports.js';
import type { SpamVerdict } from '../../domain/outbound-spam.js';

const SPAM_ACTIONS = new Set(['reject', 'soft reject', 'rewrite subject', 'add header']);

export function rspamdScanner(url: string, timeoutSeconds: number): SpamScanner {
  const endpoint = new URL('/checkv2', url);
  return {
    async scan(req: ScanRequest): Promise<SpamVerdict> {
      const headers: Record<string, string> = { 'Content-Type': 'message/rfc822' };
      // Rspamd's request headers (its protocol): who submitted it, outbound (authenticated) mail.
      if (req.login) headers.User = req.login;
      if (req.from) headers.From = req.from;
      if (req.clientAddress) headers.IP = req.clientAddress;
      if (req.queueId) headers['Queue-Id'] = req.queueId;
      const res = await fetch(endpoint, { method: 'POST', headers, body: req.message, signal: AbortSignal.timeout(timeoutSeconds * 1000) });
      if (!res.ok) throw new Error(`rspamd answered HTTP ${res.status}`);
      const body = (await res.json()) as { action?: unknown; score?: unknown };
      if (typeof body.action !== 'string') throw new Error('rspamd answered without an action');
      return { spam: SPAM_ACTIONS.has(body.action), score: typeof body.score === 'number' ? body.score : 0, action: body.action };
    },
  };
}
