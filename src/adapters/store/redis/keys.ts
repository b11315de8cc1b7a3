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
 * The index of senders with commits (active()): ACTIVE_SHARDS sorted sets of senderKeys scored by the
 * time they were last indexed. Spread over several keys, each with its own hash tag, so a Redis
 * Cluster spreads them over its shards; a sender's scripts never touch them (they name only the
 * sender's own slot), the client updates them beside.
 */
export const ACTIVE_SHARDS = 16;

export function activeKey(prefix: string, shard: number): string {
  return `${prefix}a{active:${shard}}`;
}

/** The index shard of a sender: a cheap, stable string hash (FNV-1a) of its key. */
export function activeShard(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % ACTIVE_SHARDS;
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
