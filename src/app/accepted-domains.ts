// Get-/New-/Remove-AcceptedDomain: the domains that make a recipient internal, and a login's tenant.
import { Errors, fail } from '../errors.js';
import { normalizeDomain, printable } from '../domain/address.js';
import { validateName } from '../domain/policy.js';
import type { AcceptedDomain } from '../domain/tenant.js';
import { changeDirectory, ensureUniqueName, findByIdentity, isoAt, newId, readDirectory, type AdminContext } from './directory-change.js';

export async function getAcceptedDomains(ctx: AdminContext, identity?: string): Promise<AcceptedDomain[]> {
  const { d, tenant } = await readDirectory(ctx);
  if (identity !== undefined) return [findDomain(d.domains, tenant.Id, identity)];
  return d.domains.filter((x) => x.TenantId === tenant.Id);
}

export async function newAcceptedDomain(ctx: AdminContext, name: string, domainName: string): Promise<AcceptedDomain> {
  const Name = validateName('Name', name);
  const DomainName = normalizeDomain(domainName) ?? fail(Errors.INVALID_ARGUMENT, `DomainName '${printable(domainName)}' is not a domain name.`);
  // A domain decides which tenant a login belongs to, service-wide: a tenant adding one could claim
  // another organisation's senders, and a refusal would tell it the domain is another tenant's.
  if (ctx.actor.tenantId !== null) fail(Errors.FORBIDDEN, 'Accepted domains are assigned to tenants by the provider: ask a provider-level administrator to add this domain.');
  return changeDirectory(ctx, (d, tenant, now) => {
    ensureUniqueName(d.domains, tenant.Id, Name, 'accepted domain');
    const owner = d.domains.find((x) => x.DomainName === DomainName);
    if (owner) fail(Errors.ALREADY_EXISTS, `The domain ${DomainName} is already an accepted domain${owner.TenantId === tenant.Id ? '' : ' of another tenant'}.`);
    const domain: AcceptedDomain = { Id: newId(), TenantId: tenant.Id, Name, DomainName, WhenCreatedUTC: isoAt(now) };
    return { upsert: [{ kind: 'domain', object: domain }], operation: 'New-AcceptedDomain', target: DomainName, before: null, after: domain, result: domain };
  });
}

export function removeAcceptedDomain(ctx: AdminContext, identity: string): Promise<AcceptedDomain> {
  return changeDirectory(ctx, (d, tenant) => {
    const domain = findDomain(d.domains, tenant.Id, identity);
    return { remove: [{ kind: 'domain', id: domain.Id }], operation: 'Remove-AcceptedDomain', target: domain.DomainName, before: domain, after: null, result: domain };
  });
}

/** By name, id or the domain itself. */
function findDomain(domains: readonly AcceptedDomain[], tenantId: string, identity: string): AcceptedDomain {
  const asDomain = normalizeDomain(identity);
  const byDomain = domains.find((x) => x.TenantId === tenantId && x.DomainName === asDomain);
  return byDomain ?? findByIdentity(domains, tenantId, identity, 'accepted domain');
}
