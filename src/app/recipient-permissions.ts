// Add-/Get-/Remove-RecipientPermission -AccessRights SendAs: who may send as whom, so the policy of the
// sending address applies only to a login allowed to send as it (docs/spec.md §3).
import { domainOf, normalizeAddress, printable } from '../domain/address.js';
import { oneOf } from '../domain/policy.js';
import { ACCESS_RIGHTS, type RecipientPermission } from '../domain/recipient-permission.js';
import { DEFAULT_TENANT_ID } from '../domain/tenant.js';
import { Errors, fail } from '../errors.js';
import { changeDirectory, isoAt, newId, readDirectory, type AdminContext } from './directory-change.js';
import type { DirectorySnapshot } from './ports.js';

export interface PermissionInput {
  Identity: unknown;
  Trustee: unknown;
  AccessRights: unknown;
}

export async function getRecipientPermissions(ctx: AdminContext, q: { Identity?: unknown; Trustee?: unknown } = {}): Promise<RecipientPermission[]> {
  const { d, tenant } = await readDirectory(ctx);
  const identity = q.Identity === undefined ? undefined : normalizeAddress(String(q.Identity), 'Identity');
  const trustee = q.Trustee === undefined ? undefined : normalizeAddress(String(q.Trustee), 'Trustee');
  return d.permissions.filter((p) => p.TenantId === tenant.Id && (identity === undefined || p.Identity === identity) && (trustee === undefined || p.Trustee === trustee));
}

export function addRecipientPermission(ctx: AdminContext, input: PermissionInput): Promise<RecipientPermission> {
  const { Identity, Trustee } = parse(input);
  return changeDirectory(ctx, (d, tenant, now) => {
    inTenant(d, tenant.Id, Identity, 'Identity');
    inTenant(d, tenant.Id, Trustee, 'Trustee');
    if (find(d, tenant.Id, Identity, Trustee)) fail(Errors.ALREADY_EXISTS, `${Trustee} already has SendAs on ${Identity}.`);
    const p: RecipientPermission = { Id: newId(), TenantId: tenant.Id, Identity, Trustee, AccessRights: ['SendAs'], WhenCreatedUTC: isoAt(now) };
    return { upsert: [{ kind: 'permission', object: p }], operation: 'Add-RecipientPermission', target: Identity, before: null, after: p, result: p };
  });
}

export function removeRecipientPermission(ctx: AdminContext, input: PermissionInput): Promise<RecipientPermission> {
  const { Identity, Trustee } = parse(input);
  return changeDirectory(ctx, (d, tenant) => {
    const p = find(d, tenant.Id, Identity, Trustee);
    if (!p) fail(Errors.NOT_FOUND, `${Trustee} has no SendAs on ${Identity} in this tenant.`);
    return { remove: [{ kind: 'permission', id: p.Id }], operation: 'Remove-RecipientPermission', target: Identity, before: p, after: null, result: p };
  });
}

function parse(input: PermissionInput): { Identity: string; Trustee: string } {
  if (input.Identity === undefined || input.Trustee === undefined || input.AccessRights === undefined) {
    fail(Errors.MISSING_PARAMETER, 'Give -Identity (the mailbox), -Trustee (who may send as it) and -AccessRights SendAs.');
  }
  const Identity = normalizeAddress(String(input.Identity), 'Identity');
  const Trustee = normalizeAddress(String(input.Trustee), 'Trustee');
  // Exchange's only recipient permission is SendAs; Send on behalf of is a mailbox setting.
  oneOf('AccessRights', Array.isArray(input.AccessRights) && input.AccessRights.length === 1 ? input.AccessRights[0] : input.AccessRights, ACCESS_RIGHTS);
  if (Identity === Trustee) fail(Errors.INVALID_ARGUMENT, `A mailbox always sends as itself: Identity and Trustee are both ${Identity}.`);
  return { Identity, Trustee };
}

/** An address belongs to the tenant of its accepted domain, else to the default tenant (as a login does). */
function inTenant(d: DirectorySnapshot, tenantId: string, address: string, field: string): void {
  const owner = d.domains.find((x) => x.DomainName === domainOf(address))?.TenantId ?? DEFAULT_TENANT_ID;
  if (owner !== tenantId) fail(Errors.INVALID_ARGUMENT, `${field} '${printable(address)}' is not an address of this tenant (its domain is not one of its accepted domains).`);
}

function find(d: DirectorySnapshot, tenantId: string, identity: string, trustee: string): RecipientPermission | undefined {
  return d.permissions.find((p) => p.TenantId === tenantId && p.Identity === identity && p.Trustee === trustee);
}
