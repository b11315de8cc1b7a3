// Portal sessions and failed sign-ins in the embedded store.
import type { SignInLimit, StoredSession } from '../../../app/ports.js';
import { throttleWait } from '../../../domain/sign-in.js';
import type { SqliteDb } from './database.js';

export function createSession(db: SqliteDb, s: StoredSession): void {
  db.run(db.q.insertInto('web_sessions').values({ id_hash: s.idHash, account_id: s.accountId, csrf_token: s.csrfToken, created_at: s.createdAt, last_seen_at: s.lastSeenAt, ip: s.ip }));
}

export function getSession(db: SqliteDb, idHash: string): StoredSession | undefined {
  const r = db.get(db.q.selectFrom('web_sessions').selectAll().where('id_hash', '=', idHash));
  return r ? { idHash: r.id_hash, accountId: r.account_id, csrfToken: r.csrf_token, createdAt: r.created_at, lastSeenAt: r.last_seen_at, ip: r.ip } : undefined;
}

export function touchSession(db: SqliteDb, idHash: string, at: number): void {
  db.run(db.q.updateTable('web_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).where('last_seen_at', '<', at));
}

export function deleteSession(db: SqliteDb, idHash: string): boolean {
  return db.run(db.q.deleteFrom('web_sessions').where('id_hash', '=', idHash)).changes > 0;
}

export function deleteSessionsOf(db: SqliteDb, accountId: string): void {
  db.run(db.q.deleteFrom('web_sessions').where('account_id', '=', accountId));
}

/** Sessions that can no longer be live, and failures older than any throttle window. */
export function pruneSessions(db: SqliteDb, sessionsSeenBefore: number, createdBefore: number, failuresBefore: number): void {
  db.run(db.q.deleteFrom('web_sessions').where((eb) => eb.or([eb('last_seen_at', '<', sessionsSeenBefore), eb('created_at', '<', createdBefore)])));
  db.run(db.q.deleteFrom('sign_in_failures').where('at', '<', failuresBefore));
}

/** The wait before another attempt, or 0 after counting this one under every key. Call inside a write transaction. */
export function reserveSignInAttempt(db: SqliteDb, limits: readonly SignInLimit[], now: number): number {
  let wait = 0;
  for (const l of limits) {
    const times = db.all(db.q.selectFrom('sign_in_failures').select('at').where('key', '=', l.key).where('at', '>', now - l.windowMs)).map((r) => r.at);
    wait = Math.max(wait, throttleWait(times, l, now));
  }
  if (wait > 0) return wait;
  for (const l of limits) db.run(db.q.insertInto('sign_in_failures').values({ id: null, key: l.key, at: now }));
  return 0;
}

export function clearSignInFailures(db: SqliteDb, key: string, at?: number): void {
  if (at === undefined) {
    db.run(db.q.deleteFrom('sign_in_failures').where('key', '=', key));
    return;
  }
  const one = db.get(db.q.selectFrom('sign_in_failures').select('id').where('key', '=', key).where('at', '=', at).limit(1));
  if (one?.id != null) db.run(db.q.deleteFrom('sign_in_failures').where('id', '=', one.id));
}
