// Runs the alert engine and the notification outbox in the server, one pass at a time: raise alerts
// from new audit records, then deliver what is due. A stop waits for the pass under way.
import { raiseAlerts } from './alert-engine.js';
import { deliverDue, type OutboxOptions } from './notification-outbox.js';
import type { Clock, Notifier, Store } from './ports.js';

export interface AlertWorker {
  /** Runs one pass now (tests; the timer runs them otherwise). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startAlertWorker(store: Store, clock: Clock, notifier: Notifier, opts: OutboxOptions & { intervalMs: number; onError(err: unknown): void }): AlertWorker {
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = async (): Promise<void> => {
    try {
      opts.metrics?.alertsRaised((await raiseAlerts(store, clock)).raised);
    } catch (err) {
      opts.onError(err);
    }
    try {
      // Until nothing is due: a burst of alerts goes out in one pass, not one claim per interval.
      while (!stopped && (await deliverDue(store, clock, notifier, opts)) > 0);
    } catch (err) {
      opts.onError(err);
    }
  };
  const begin = (): Promise<void> => {
    running = pass().finally(() => {
      running = null;
    });
    return running;
  };
  /** A whole pass begun after the call: waits for one under way, which may have missed the latest records. */
  const runOnce = async (): Promise<void> => {
    if (running) await running;
    return running ?? begin();
  };
  const timer = setInterval(() => {
    if (!stopped && !running) void begin();
  }, opts.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
