// Admin accounts and API keys in the embedded store.
import type { AdminAccount, ApiKey } from '../../../domain/account.js';
import type { SqliteDb } from './database.js';
import { accountRow, apiKeyRow, toAccount, toApiKey } from '../sql/rows.js';

export function listAccounts(db: SqliteDb): AdminAccount[] {
  return db.all(db.q.selectFrom('admin_accounts').selectAll().orderBy('name')).map(toAccount);
}

export function getAccount(db: SqliteDb, nameOrId: string): { account: AdminAccount; passwordHash: string | null } | undefined {
  const key = nameOrId.trim().toLowerCase();
  const row = db.get(db.q.selectFrom('admin_accounts').selectAll().where((eb) => eb.or([eb('name', '=', key), eb('id', '=', key)])));
  return row ? { account: toAccount(row), passwordHash: row.password_hash } : undefined;
}

/** Inserts or updates; `passwordHash` undefined keeps the stored one. */
export function saveAccount(db: SqliteDb, a: AdminAccount, passwordHash: string | null | undefined): void {
  const row = accountRow(a, passwordHash);
  const { id: _id, created_at: _c, password_hash: _p, ...update } = row;
  db.run(
    db.q
      .insertInto('admin_accounts')
      .values(row)
      .onConflict((c) => c.column('id').doUpdateSet(passwordHash === undefined ? update : { ...update, password_hash: passwordHash })),
  );
}

export function removeAccount(db: SqliteDb, id: string): void {
  db.run(db.q.deleteFrom('api_keys').where('account_id', '=', id));
  db.run(db.q.deleteFrom('admin_accounts').where('id', '=', id));
}

export function saveApiKey(db: SqliteDb, k: ApiKey, secretHash: string): void {
  db.run(db.q.insertInto('api_keys').values(apiKeyRow(k, secretHash)));
}

export function listApiKeys(db: SqliteDb, accountId?: string): ApiKey[] {
  let q = db.q.selectFrom('api_keys').selectAll();
  if (accountId !== undefined) q = q.where('account_id', '=', accountId);
  return db.all(q.orderBy('created_at')).map(toApiKey);
}

export function getApiKey(db: SqliteDb, id: string): { key: ApiKey; secretHash: string } | undefined {
  const row = db.get(db.q.selectFrom('api_keys').selectAll().where('id', '=', id));
  return row ? { key: toApiKey(row), secretHash: row.secret_hash } : undefined;
}

export function revokeApiKey(db: SqliteDb, id: string, at: number): boolean {
  return db.run(db.q.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null)).changes > 0;
}

export function touchApiKey(db: SqliteDb, id: string, at: number): void {
  db.run(db.q.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id));
}
