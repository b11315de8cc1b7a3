// Key names for one sender's counters: every key of a sender carries the same hash tag, so a script that
// touches them all runs on one Redis Cluster slot (redis.io EVAL: scripts name every key in KEYS).
import { isEntityType, senderKey, type SenderRef } from '../../../domain/sender.js';

/** Isolates one Outgate install (or one test) on a shared Redis. */
export const DEFAULT_PREFIX = 'og:';

/**
 * `<prefix>w{<senderKey>}`: the sender's windows, holds and recent commits (one listpack hash).
 * senderKey separates tenant, type and identity with NUL, which no address or tenant id contains, so two
 * senders never share a key; Redis keys are binary-safe.
 */
export function windowsKey(prefix: string, key: string): string {
  return `${prefix}w{${key}}`;
}

/** `<prefix>r{<senderKey>}<message>`: the distinct recipients one open message holds (same slot as the windows). */
export function recipientsKey(prefix: string, key: string, message: string): string {
  return `${prefix}r{${key}}${message}`;
}

/**
 * The pattern SCAN uses to find every sender's windows (active()); the prefix's glob characters escaped.
 * No index of senders: a sorted-set member cost ~144 B per sender, as much as the sender's own hash
 * (bench/RESULTS.md, Addendum 11), while active() reads every sender's totals anyway, so a SCAN adds only
 * a server-side pass over the keys it skips.
 */
export function windowsPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}w{*`;
}

/** The sender a windows key belongs to, or undefined for a key that is not one. */
export function senderOfWindowsKey(prefix: string, name: string): SenderRef | undefined {
  const head = `${prefix}w{`;
  if (!name.startsWith(head) || !name.endsWith('}')) return undefined;
  return senderOfKey(name.slice(head.length, -1));
}

/** The sender a senderKey names, or undefined for a string that is not one. */
export function senderOfKey(key: string): SenderRef | undefined {
  const parts = key.split('\u0000');
  if (parts.length !== 3) return undefined;
  const [tenantId, type, identity] = parts as [string, string, string];
  if (!isEntityType(type)) return undefined;
  const ref: SenderRef = { tenantId, type, identity };
  return senderKey(ref) === key ? ref : undefined;
}
