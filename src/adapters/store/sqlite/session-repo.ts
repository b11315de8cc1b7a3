// Portal sessions and failed sign-ins in the embedded store.
import type { StoredSession } from '../../../app/ports.js';
import { sessionRow, toSession } from '../sql/rows.js';
import type { SqliteDb } from './database.js';

export function createSession(db: SqliteDb, s: StoredSession): void {
  db.run(db.q.insertInto('web_sessions').values(sessionRow(s)));
}

export function getSession(db: SqliteDb, idHash: string): StoredSession | undefined {
  const r = db.get(db.q.selectFrom('web_sessions').selectAll().where('id_hash', '=', idHash));
  return r ? toSession(r) : undefined;
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

export function signInFailures(db: SqliteDb, keys: readonly string[], since: number): Map<string, number[]> {
  const out = new Map<string, number[]>(keys.map((k) => [k, []]));
  if (keys.length === 0) return out;
  for (const r of db.all(db.q.selectFrom('sign_in_failures').select(['key', 'at']).where('key', 'in', keys).where('at', '>', since))) out.get(r.key)!.push(r.at);
  return out;
}

export function recordSignInFailure(db: SqliteDb, keys: readonly string[], at: number): void {
  for (const key of keys) db.run(db.q.insertInto('sign_in_failures').values({ id: null, key, at }));
}

export function clearSignInFailures(db: SqliteDb, key: string): void {
  db.run(db.q.deleteFrom('sign_in_failures').where('key', '=', key));
}
