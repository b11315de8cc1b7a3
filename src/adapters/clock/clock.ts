// The process clock. Production reads the system clock; tests (and anything that must agree with a test's
// server, such as a CLI it spawns) set OUTGATE_TEST_NOW so every process they start reads one timeline.
import type { Clock } from '../../app/ports.js';
import { Errors, fail } from '../../errors.js';

export const TEST_NOW_ENV = 'OUTGATE_TEST_NOW';

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that starts at `start` (ms since the epoch) and then runs at real speed, measured on the
 * monotonic clock so a system clock stepped meanwhile (NTP, faketime) does not move it.
 */
export function clockStartingAt(start: number): Clock {
  const origin = performance.now();
  return { now: () => start + Math.floor(performance.now() - origin) };
}

/** The clock named by the environment: OUTGATE_TEST_NOW (an ISO 8601 instant or ms since the epoch), else the system clock. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const raw = env[TEST_NOW_ENV];
  if (raw === undefined || raw === '') return systemClock;
  const start = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(start))
    fail(Errors.CONFIG_INVALID, `${TEST_NOW_ENV}=${raw} is not an ISO 8601 instant or a number of milliseconds.`);
  return clockStartingAt(start);
}
