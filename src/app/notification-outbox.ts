// Delivers the notification outbox: claims what is due (so two processes never send the same one),
// sends it, and records the attempt. What cannot be delivered now is tried again with a growing delay
// and stays listed with its last error; nothing is dropped.
import { MAX_ATTEMPTS, retryDelayMs } from '../domain/alert.js';
import { alertEmail, alertPayload } from './alert-message.js';
import type { Metrics } from './metrics.js';
import type { Clock, Notifier, Store, StoredNotification } from './ports.js';

export interface OutboxOptions {
  /** The portal's address, for the links in notifications. */
  readonly publicUrl: string;
  /** First retry delay; doubles per attempt, at most an hour. */
  readonly retryBaseMs?: number;
  /** How long a claimed notification is hidden from other claimers while it is sent. */
  readonly leaseMs?: number;
  readonly metrics?: Metrics;
}

const CLAIM = 50;

/** Sends what is due now; returns how many were attempted. */
export async function deliverDue(store: Store, clock: Clock, notifier: Notifier, opts: OutboxOptions): Promise<number> {
  const claimed = await store.claimNotifications(clock.now(), opts.leaseMs ?? 120_000, CLAIM);
  await Promise.all(
    claimed.map(async ({ notification: n, alert, webhook }) => {
      let error: (Error & { permanent?: boolean }) | null = null;
      try {
        if (n.channel === 'email') {
          await notifier.sendEmail(n.recipient, alertEmail(alert, opts.publicUrl));
        } else {
          if (!webhook || !webhook.enabled) throw Object.assign(new Error('The webhook was removed or turned off.'), { permanent: true });
          await notifier.postWebhook(webhook.url, webhook.secret, JSON.stringify(alertPayload(alert, opts.publicUrl)), clock.now());
        }
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
      const done = outcome(n, error, clock.now(), opts.retryBaseMs);
      await store.finishNotification(done);
      opts.metrics?.notification(n.channel, done.status === 'Sent' ? 'Sent' : done.status === 'Failed' ? 'Failed' : 'Retry');
    }),
  );
  return claimed.length;
}

export function outcome(n: StoredNotification, error: (Error & { permanent?: boolean }) | null, now: number, retryBaseMs?: number): StoredNotification {
  const attempts = n.attempts + 1;
  if (error === null) return { ...n, status: 'Sent', attempts, lastAttemptAt: now, sentAt: now, nextAttemptAt: null, lastError: null };
  const lastError = error.message.replace(/\s+/g, ' ').slice(0, 500);
  if (error.permanent === true || attempts >= MAX_ATTEMPTS) return { ...n, status: 'Failed', attempts, lastAttemptAt: now, nextAttemptAt: null, lastError };
  return { ...n, status: 'Pending', attempts, lastAttemptAt: now, nextAttemptAt: now + retryDelayMs(attempts, retryBaseMs), lastError };
}
