// Failures of the server's background timers (applying the journal, following changes, checkpoints,
// housekeeping): logged and counted instead of escaping the timer as an uncaught exception that ends
// the process with a raw stack trace. A failure that repeats every tick (a full disk, a corrupt file)
// is logged once, then summarized every LOG_EVERY_MS with a count; the metric counts each one.
import type { Logger } from 'pino';
import type { Metrics } from './app/metrics.js';
import { LogThrottle } from './log-throttle.js';

const LOG_EVERY_MS = 10_000;

export class BackgroundFailures {
  private readonly throttles = new Map<string, LogThrottle>();

  constructor(
    private readonly log: Logger,
    private readonly metrics: Pick<Metrics, 'storeError'>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records one failure of `task`; `message` says what failed and what happens next. */
  report(task: string, err: unknown, message: string, level: 'error' | 'warn' = 'error'): void {
    this.metrics.storeError(task);
    let throttle = this.throttles.get(task);
    if (throttle === undefined) this.throttles.set(task, (throttle = new LogThrottle(LOG_EVERY_MS, this.now)));
    const occurrences = throttle.hit();
    if (occurrences === 0) return;
    const detail = err instanceof Error ? { err } : { reason: String(err) };
    this.log[level](
      { task, occurrences, ...detail },
      occurrences > 1 ? `${message} (${occurrences} times since the last report)` : message,
    );
  }

  /** Runs one tick of `task`, reporting a synchronous throw or a rejected promise. */
  run(task: string, message: string, tick: () => unknown): void {
    try {
      const result = tick();
      if (result instanceof Promise) result.catch((err: unknown) => this.report(task, err, message));
    } catch (err) {
      this.report(task, err, message);
    }
  }
}
