// What the use cases need from the outside world: one port per aggregate (ports/*.ts), the sending
// counters, the change feed, and the clock, log and notifier. The embedded store (SQLite) implements them
// today; the scale-out backend (PostgreSQL + Redis) implements the same ports and passes the same
// contract tests (src/adapters/store/contract.ts).
export type * from './ports/accounts.js';
export type * from './ports/alerts.js';
export type * from './ports/audit.js';
export type * from './ports/change-feed.js';
export type * from './ports/directory.js';
export type * from './ports/log.js';
export type * from './ports/restrictions.js';
export type * from './ports/sending-counters.js';
export type * from './ports/spam-scanner.js';
export type * from './ports/store.js';
export { NO_CAPS } from './ports/sending-counters.js';
export { NO_LOG } from './ports/log.js';

/** Delivers notifications; a failure throws (with `permanent: true` when trying again cannot help). */
export interface Notifier {
  sendEmail(to: string, message: { subject: string; text: string; html: string }): Promise<void>;
  /** Posts `body` signed with `secret`; `now` is the signature's timestamp. */
  postWebhook(url: string, secret: string, body: string, now: number): Promise<void>;
}

export interface Clock {
  now(): number;
}
