// Tenants, accepted domains, policies, rules, connectors and groups on PostgreSQL, written with
// optimistic concurrency on one revision number.
import type { Kysely } from 'kysely';
import type { DirectoryKind, DirectoryObject, DirectorySnapshot } from '../../../app/ports.js';
import type { OutboundSpamRule } from '../../../domain/rule.js';
import { DIRECTORY_TABLE, directoryOf } from '../sql/directory-rows.js';
import { upsertDirectoryObject } from '../sql/queries.js';
import type { DB } from '../sql/schema.js';
import type { Tx } from './database.js';

/** The whole directory as of one moment (REPEATABLE READ: no half of a concurrent change). */
export async function loadDirectory(q: Kysely<DB>): Promise<DirectorySnapshot> {
  return q
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) =>
      directoryOf({
        revision: await revision(trx),
        tenants: await trx.selectFrom('tenants').selectAll().orderBy('created_at').execute(),
        domains: await trx.selectFrom('accepted_domains').selectAll().orderBy('domain').execute(),
        policies: await trx.selectFrom('policies').selectAll().orderBy('created_at').execute(),
        rules: await trx.selectFrom('rules').selectAll().orderBy('priority').execute(),
        connectors: await trx.selectFrom('connectors').selectAll().orderBy('created_at').execute(),
        groups: await trx.selectFrom('groups').selectAll().orderBy('created_at').execute(),
        permissions: await trx.selectFrom('recipient_permissions').selectAll().orderBy('identity').orderBy('trustee').execute(),
      }),
    );
}

async function revision(q: Kysely<DB>): Promise<number> {
  return (await q.selectFrom('meta').select('value').where('key', '=', 'directory_revision').executeTakeFirst())?.value ?? 0;
}

/**
 * Moves the revision on from `from`; false when it is no longer `from`. A concurrent writer holds the
 * row until it commits, and READ COMMITTED then re-checks the condition against its new value.
 */
export async function bumpRevision(trx: Tx, from: number): Promise<boolean> {
  const r = await trx.updateTable('meta').set({ value: from + 1 }).where('key', '=', 'directory_revision').where('value', '=', from).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function upsertObject(trx: Tx, kind: DirectoryKind, o: DirectoryObject): Promise<void> {
  let policyId: string | undefined;
  if (kind === 'rule') {
    const r = o as OutboundSpamRule;
    // Names match case-insensitively, as the embedded store's COLLATE NOCASE does.
    policyId = (
      await trx
        .selectFrom('policies')
        .select('id')
        .where('tenant_id', '=', r.TenantId)
        .where((eb) => eb(eb.fn('lower', ['name']), '=', r.HostedOutboundSpamFilterPolicy.toLowerCase()))
        .executeTakeFirst()
    )?.id;
  }
  await upsertDirectoryObject(trx, kind, o, policyId).execute();
}

export async function removeObject(trx: Tx, kind: DirectoryKind, id: string): Promise<void> {
  await trx.deleteFrom(DIRECTORY_TABLE[kind]).where('id', '=', id).execute();
}
