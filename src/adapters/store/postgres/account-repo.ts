// Admin accounts, API keys, portal sessions and failed sign-ins on PostgreSQL.
import { sql, type Kysely } from 'kysely';
import type { SignInLimit, StoredAccount, StoredApiKey, StoredSession } from '../../../app/ports.js';
import { throttleWait } from '../../../domain/sign-in.js';
import type { AdminAccount, ApiKey } from '../../../domain/account.js';
import { accountRow, apiKeyRow, sessionRow, toAccount, toApiKey, toSession } from '../sql/rows.js';
import type { DB } from '../sql/schema.js';
import { SIGN_IN_LOCK_NS, type Tx } from './database.js';

export async function listAccounts(q: Kysely<DB>): Promise<AdminAccount[]> {
  return (await q.selectFrom('admin_accounts').selectAll().orderBy('name').execute()).map(toAccount);
}

export async function getAccount(q: Kysely<DB>, nameOrId: string): Promise<StoredAccount | undefined> {
  const key = nameOrId.trim().toLowerCase();
  const row = await q.selectFrom('admin_accounts').selectAll().where((eb) => eb.or([eb('name', '=', key), eb('id', '=', key)])).executeTakeFirst();
  return row ? { account: toAccount(row), passwordHash: row.password_hash } : undefined;
}

/** Inserts or updates; `passwordHash` undefined keeps the stored one. */
export async function saveAccount(trx: Tx, a: AdminAccount, passwordHash: string | null | undefined): Promise<void> {
  const row = accountRow(a, passwordHash);
  const { id: _id, created_at: _c, password_hash: _p, ...update } = row;
  await trx
    .insertInto('admin_accounts')
    .values(row)
    .onConflict((c) => c.column('id').doUpdateSet(passwordHash === undefined ? update : { ...update, password_hash: passwordHash }))
    .execute();
}

export async function removeAccount(trx: Tx, id: string): Promise<void> {
  await trx.deleteFrom('api_keys').where('account_id', '=', id).execute();
  await trx.deleteFrom('admin_accounts').where('id', '=', id).execute();
}

export async function saveApiKey(trx: Tx, k: ApiKey, secretHash: string): Promise<void> {
  await trx.insertInto('api_keys').values(apiKeyRow(k, secretHash)).execute();
}

export async function listApiKeys(q: Kysely<DB>, accountId?: string): Promise<ApiKey[]> {
  let query = q.selectFrom('api_keys').selectAll();
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  return (await query.orderBy('created_at').execute()).map(toApiKey);
}

export async function getApiKey(q: Kysely<DB>, id: string): Promise<StoredApiKey | undefined> {
  const row = await q.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { key: toApiKey(row), secretHash: row.secret_hash } : undefined;
}

export async function revokeApiKey(trx: Tx, id: string, at: number): Promise<boolean> {
  return (await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()).numUpdatedRows > 0n;
}

export async function touchApiKey(q: Kysely<DB>, id: string, at: number): Promise<void> {
  await q.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function createSession(trx: Tx, s: StoredSession): Promise<void> {
  await trx.insertInto('web_sessions').values(sessionRow(s)).execute();
}

export async function getSession(q: Kysely<DB>, idHash: string): Promise<StoredSession | undefined> {
  const r = await q.selectFrom('web_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  return r ? toSession(r) : undefined;
}

export async function touchSession(q: Kysely<DB>, idHash: string, at: number): Promise<void> {
  await q.updateTable('web_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).where('last_seen_at', '<', at).execute();
}

export async function deleteSession(trx: Tx, idHash: string): Promise<boolean> {
  return (await trx.deleteFrom('web_sessions').where('id_hash', '=', idHash).executeTakeFirst()).numDeletedRows > 0n;
}

export async function deleteSessionsOf(trx: Tx, accountId: string): Promise<void> {
  await trx.deleteFrom('web_sessions').where('account_id', '=', accountId).execute();
}

/** Sessions that can no longer be live, and failures older than any throttle window. */
export async function pruneSessions(trx: Tx, sessionsSeenBefore: number, createdBefore: number, failuresBefore: number): Promise<void> {
  await trx.deleteFrom('web_sessions').where((eb) => eb.or([eb('last_seen_at', '<', sessionsSeenBefore), eb('created_at', '<', createdBefore)])).execute();
  await trx.deleteFrom('sign_in_failures').where('at', '<', failuresBefore).execute();
}

/**
 * The wait before another attempt, or 0 after counting this one under every key. Each key is locked
 * for the transaction (in one order, so two attempts never deadlock): N parallel attempts on any
 * number of nodes check at most the limit.
 */
export async function reserveSignInAttempt(trx: Tx, limits: readonly SignInLimit[], now: number): Promise<number> {
  for (const key of [...new Set(limits.map((l) => l.key))].sort()) {
    await sql`SELECT pg_advisory_xact_lock(${SIGN_IN_LOCK_NS}, hashtext(${key}))`.execute(trx);
  }
  let wait = 0;
  for (const l of limits) {
    const times = (await trx.selectFrom('sign_in_failures').select('at').where('key', '=', l.key).where('at', '>', now - l.windowMs).execute()).map((r) => r.at);
    wait = Math.max(wait, throttleWait(times, l, now));
  }
  if (wait > 0) return wait;
  if (limits.length > 0) await trx.insertInto('sign_in_failures').values(limits.map((l) => ({ key: l.key, at: now }))).execute();
  return 0;
}

/** Forgets a key's failures: all of them, or only the one attempt reserved at `at`. */
export async function clearSignInFailures(q: Kysely<DB>, key: string, at?: number): Promise<void> {
  if (at === undefined) {
    await q.deleteFrom('sign_in_failures').where('key', '=', key).execute();
    return;
  }
  await q
    .deleteFrom('sign_in_failures')
    .where('id', '=', (eb) => eb.selectFrom('sign_in_failures').select('id').where('key', '=', key).where('at', '=', at).limit(1))
    .execute();
}
