// Get-/New-/Remove-DistributionGroup: the groups FromMemberOf and ExceptIfFromMemberOf refer to.
import { normalizeAddress } from '../domain/address.js';
import { addressList, validateName } from '../domain/policy.js';
import type { AcceptedDomain, DistributionGroup } from '../domain/tenant.js';
import { Errors, fail } from '../errors.js';
import { changeDirectory, ensureUniqueName, findByIdentity, isoAt, newId, readDirectory, type AdminContext } from './directory-change.js';

export async function getGroups(ctx: AdminContext, identity?: string): Promise<DistributionGroup[]> {
  const { d, tenant } = await readDirectory(ctx);
  if (identity !== undefined) return [findByIdentity(d.groups, tenant.Id, identity, 'group')];
  return d.groups.filter((g) => g.TenantId === tenant.Id);
}

export function newGroup(ctx: AdminContext, name: string, address: string, members: unknown): Promise<DistributionGroup> {
  const Name = validateName('Name', name);
  const PrimarySmtpAddress = normalizeAddress(address, 'PrimarySmtpAddress');
  const Members = members === undefined ? [] : addressList('Members', members);
  return changeDirectory(ctx, (d, tenant, now) => {
    ensureUniqueName(d.groups, tenant.Id, Name, 'group');
    if (ctx.actor.tenantId !== null) ensureOwnDomain(d.domains, tenant.Id, PrimarySmtpAddress);
    if (d.groups.some((g) => g.PrimarySmtpAddress === PrimarySmtpAddress)) fail(Errors.ALREADY_EXISTS, `A group with address ${PrimarySmtpAddress} already exists.`);
    const g: DistributionGroup = { Id: newId(), TenantId: tenant.Id, Name, PrimarySmtpAddress, Members, WhenCreatedUTC: isoAt(now) };
    return { upsert: [{ kind: 'group', object: g }], operation: 'New-DistributionGroup', target: Name, before: null, after: g, result: g };
  });
}

/**
 * Group addresses are unique across the service, so a tenant's admin gives its groups addresses in its
 * own accepted domains (as Exchange does): "already exists" is then about its own groups only, never
 * a sign that another tenant has a group of that address.
 */
function ensureOwnDomain(domains: readonly AcceptedDomain[], tenantId: string, address: string): void {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const own = domains.filter((x) => x.TenantId === tenantId).map((x) => x.DomainName);
  if (!own.includes(domain)) {
    const hint = own.length > 0 ? own.join(', ') : 'none yet; ask your provider to add one';
    fail(Errors.INVALID_ARGUMENT, `A group's PrimarySmtpAddress is in one of the tenant's accepted domains (${hint}).`);
  }
}

export function setGroupMembers(ctx: AdminContext, identity: string, members: unknown): Promise<DistributionGroup> {
  const Members = addressList('Members', members ?? []);
  return changeDirectory(ctx, (d, tenant) => {
    const before = findByIdentity(d.groups, tenant.Id, identity, 'group');
    const after = { ...before, Members };
    return { upsert: [{ kind: 'group', object: after }], operation: 'Update-DistributionGroupMember', target: before.Name, before, after, result: after };
  });
}

export function removeGroup(ctx: AdminContext, identity: string): Promise<DistributionGroup> {
  return changeDirectory(ctx, (d, tenant) => {
    const g = findByIdentity(d.groups, tenant.Id, identity, 'group');
    return { remove: [{ kind: 'group', id: g.Id }], operation: 'Remove-DistributionGroup', target: g.Name, before: g, after: null, result: g };
  });
}
