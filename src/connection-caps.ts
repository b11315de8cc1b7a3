// How many connections each listener accepts: settings, else derived from the process's open-file
// limit. The limit is split so neither side can starve the other: policy (and milter) connections get
// what is left after a reserve; HTTP gets half of that reserve; the other half stays for the store and
// its journal, logs, alert SMTP and webhooks.
import { readFileSync } from 'node:fs';

/** Descriptors kept for everything but policy connections: HTTP, the store and its journal, logs, alert SMTP. */
const RESERVE_MIN = 256;
/** Without a readable limit (not Linux): fits under the common soft limit of 1,024 with the reserve. */
const FALLBACK = 512;
/** Postfix opens one policy connection per smtpd process (default_process_limit 100); more buys nothing. */
const CEILING = 4096;
const FLOOR = 16;
/** Admins, a portal, a few API clients and Prometheus: a thousand connections is far beyond any of them. */
const HTTP_CEILING = 1024;

export interface ConnectionCaps {
  readonly total: number;
  readonly perClient: number;
}

export interface CapSettings {
  maxConnections: number;
  maxConnectionsPerClient: number;
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

const reserveOf = (softLimit: number): number => Math.max(RESERVE_MIN, Math.floor(softLimit / 4));

/** A setting of 0 takes `derived`; per client 0 means half of the total, so one runaway client leaves room for the others. */
function caps(setting: CapSettings, derived: number): ConnectionCaps {
  const total = setting.maxConnections > 0 ? setting.maxConnections : derived;
  const perClient =
    setting.maxConnectionsPerClient > 0 ? Math.min(setting.maxConnectionsPerClient, total) : Math.max(1, Math.ceil(total / 2));
  return { total, perClient };
}

/** Policy connections: the soft limit less a quarter of it (at least 256). */
export function connectionCaps(setting: CapSettings, softLimit: number | undefined): ConnectionCaps {
  const derived = softLimit === undefined ? FALLBACK : Math.max(FLOOR, Math.min(CEILING, softLimit - reserveOf(softLimit)));
  return caps(setting, derived);
}

/** HTTP connections: half of the policy reserve, so a flood of either never takes the other's descriptors. */
export function httpConnectionCaps(setting: CapSettings, softLimit: number | undefined): ConnectionCaps {
  const reserve = softLimit === undefined ? RESERVE_MIN : reserveOf(softLimit);
  return caps(setting, Math.max(FLOOR, Math.min(HTTP_CEILING, Math.floor(reserve / 2))));
}

/**
 * The connections the mail listeners (the policy server and the milter) hold together: one
 * policy.maxConnections for both, whichever driver Postfix uses. Each takes a slot per connection it
 * admits and gives it back when the connection closes.
 */
export class ConnectionBudget {
  private held = 0;
  constructor(readonly total: number) {}

  get open(): number {
    return this.held;
  }

  /** A slot for a new connection; false when every slot is held (the connection is then refused). */
  take(): boolean {
    if (this.held >= this.total) return false;
    this.held++;
    return true;
  }

  give(): void {
    if (this.held > 0) this.held--;
  }
}
