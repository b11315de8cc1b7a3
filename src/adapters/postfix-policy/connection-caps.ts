// How many policy connections to accept: settings, else derived from the process's open-file limit so
// a flood of policy connections can never take the descriptors HTTP, the store and logging need.
import { readFileSync } from 'node:fs';

/** Descriptors kept for everything but policy connections: HTTP, the store and its journal, logs, alert SMTP. */
const RESERVE_MIN = 256;
/** Without a readable limit (not Linux): fits under the common soft limit of 1,024 with the reserve. */
const FALLBACK = 512;
/** Postfix opens one policy connection per smtpd process (default_process_limit 100); more buys nothing. */
const CEILING = 4096;
const FLOOR = 16;

export interface ConnectionCaps {
  readonly total: number;
  readonly perClient: number;
}

/** The soft RLIMIT_NOFILE from /proc/self/limits; undefined when unreadable or unlimited. */
export function softOpenFileLimit(limitsFile = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'latin1');
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\d+)\s/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * 0 means "derive": the total leaves a quarter of the soft limit (at least 256) for everything else;
 * one client address may take half of the total, so one runaway client leaves room for the others.
 */
export function connectionCaps(
  setting: { maxConnections: number; maxConnectionsPerClient: number },
  softLimit: number | undefined,
): ConnectionCaps {
  const derived =
    softLimit === undefined ? FALLBACK : Math.max(FLOOR, Math.min(CEILING, softLimit - Math.max(RESERVE_MIN, Math.floor(softLimit / 4))));
  const total = setting.maxConnections > 0 ? setting.maxConnections : derived;
  const perClient =
    setting.maxConnectionsPerClient > 0 ? Math.min(setting.maxConnectionsPerClient, total) : Math.max(1, Math.ceil(total / 2));
  return { total, perClient };
}
