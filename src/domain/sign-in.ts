// Portal sign-in rules, as pure functions: when a session has run out, and how long a source of failed
// sign-ins must wait before it may try again.

export interface SessionTimeouts {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly absoluteMs: number;
}

export interface SessionTimes {
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

export function sessionExpiry(s: SessionTimes, t: SessionTimeouts): { idleExpiresAt: number; absoluteExpiresAt: number } {
  return { idleExpiresAt: s.lastSeenAt + t.idleMs, absoluteExpiresAt: s.createdAt + t.absoluteMs };
}

export function sessionLive(s: SessionTimes, t: SessionTimeouts, now: number): boolean {
  const e = sessionExpiry(s, t);
  return now < e.idleExpiresAt && now < e.absoluteExpiresAt;
}

/** At most `max` failures per rolling `windowMs`; then wait until the oldest of them leaves the window. */
export interface ThrottleRule {
  readonly max: number;
  readonly windowMs: number;
}

/** Milliseconds to wait before the next attempt (0: go ahead), given the failure times in the window. */
export function throttleWait(failures: readonly number[], rule: ThrottleRule, now: number): number {
  const recent = failures.filter((at) => at > now - rule.windowMs && at <= now).sort((a, b) => a - b);
  if (recent.length < rule.max) return 0;
  // The attempt is allowed again once only max - 1 failures remain in the window.
  return recent[recent.length - rule.max]! + rule.windowMs - now;
}
