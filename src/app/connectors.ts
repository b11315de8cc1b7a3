// Get-/New-/Set-/Remove-InboundConnector: named sets of source CIDRs whose unauthenticated mail is
// counted, limited and restricted as the connector (docs/spec.md §1: Restricted entities of type Connector).
import { isIP } from 'node:net';
import { Errors, fail } from '../errors.js';
import { printable } from '../domain/address.js';
import { bool, recipientLimit, text, validateName } from '../domain/policy.js';
import type { InboundConnector } from '../domain/tenant.js';
import { changeDirectory, ensureUniqueName, findByIdentity, isoAt, newId, readDirectory, type AdminContext } from './directory-change.js';

export interface ConnectorInput {
  Name?: unknown;
  SenderIPAddresses?: unknown;
  Enabled?: unknown;
  Comment?: unknown;
  RecipientLimitExternalPerHour?: unknown;
  RecipientLimitInternalPerHour?: unknown;
  RecipientLimitPerDay?: unknown;
}

export async function getConnectors(ctx: AdminContext, identity?: string): Promise<InboundConnector[]> {
  const { d, tenant } = await readDirectory(ctx);
  if (identity !== undefined) return [findByIdentity(d.connectors, tenant.Id, identity, 'inbound connector')];
  return d.connectors.filter((c) => c.TenantId === tenant.Id);
}

export function newConnector(ctx: AdminContext, name: string, input: ConnectorInput): Promise<InboundConnector> {
  const Name = validateName('Name', name);
  if (input.SenderIPAddresses === undefined) fail(Errors.MISSING_PARAMETER, 'SenderIPAddresses is required (one or more CIDRs).');
  const fields = validate(input);
  return changeDirectory(ctx, (d, tenant, now) => {
    ensureUniqueName(d.connectors, tenant.Id, Name, 'inbound connector');
    const c: InboundConnector = {
      Id: newId(),
      TenantId: tenant.Id,
      Name,
      Enabled: true,
      SenderIPAddresses: [],
      Comment: '',
      RecipientLimitExternalPerHour: 0,
      RecipientLimitInternalPerHour: 0,
      RecipientLimitPerDay: 0,
      ...fields,
      WhenCreatedUTC: isoAt(now),
      WhenChangedUTC: isoAt(now),
    };
    assertNoOverlap(d.connectors, c);
    return { upsert: [{ kind: 'connector', object: c }], operation: 'New-InboundConnector', target: Name, before: null, after: c, result: c };
  });
}

export function setConnector(ctx: AdminContext, identity: string, input: ConnectorInput): Promise<InboundConnector> {
  const fields = validate(input);
  return changeDirectory(ctx, (d, tenant, now) => {
    const before = findByIdentity(d.connectors, tenant.Id, identity, 'inbound connector');
    const Name = input.Name === undefined ? before.Name : validateName('Name', input.Name);
    ensureUniqueName(d.connectors, tenant.Id, Name, 'inbound connector', before.Id);
    const after: InboundConnector = { ...before, ...fields, Name, WhenChangedUTC: isoAt(now) };
    assertNoOverlap(d.connectors, after);
    return { upsert: [{ kind: 'connector', object: after }], operation: 'Set-InboundConnector', target: before.Name, before, after, result: after };
  });
}

export function removeConnector(ctx: AdminContext, identity: string): Promise<InboundConnector> {
  return changeDirectory(ctx, (d, tenant) => {
    const c = findByIdentity(d.connectors, tenant.Id, identity, 'inbound connector');
    return { remove: [{ kind: 'connector', id: c.Id }], operation: 'Remove-InboundConnector', target: c.Name, before: c, after: null, result: c };
  });
}

function validate(input: ConnectorInput): Partial<InboundConnector> {
  const out: Partial<InboundConnector> = {};
  if (input.SenderIPAddresses !== undefined) out.SenderIPAddresses = cidrList(input.SenderIPAddresses);
  if (input.Enabled !== undefined) out.Enabled = bool('Enabled', input.Enabled);
  if (input.Comment !== undefined) out.Comment = text('Comment', input.Comment, 1024, true);
  for (const f of ['RecipientLimitExternalPerHour', 'RecipientLimitInternalPerHour', 'RecipientLimitPerDay'] as const) {
    if (input[f] !== undefined) out[f] = recipientLimit(f, input[f]);
  }
  return out;
}

/** Validates and canonicalizes CIDRs: `192.0.2.0/24`, `2001:db8::/32`, or a single address. */
export function cidrList(value: unknown): string[] {
  const items = (Array.isArray(value) ? value : String(value).split(',')).map((v) => String(v).trim()).filter((v) => v !== '');
  if (items.length === 0) fail(Errors.MISSING_PARAMETER, 'SenderIPAddresses needs at least one CIDR.');
  return [...new Set(items.map(canonicalCidr))];
}

function canonicalCidr(raw: string): string {
  const [ip = '', bits, extra] = raw.split('/');
  const family = isIP(ip);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || Number(bits ?? max) > max) {
    fail(Errors.INVALID_CIDR, `SenderIPAddresses: '${printable(raw)}' is not an IPv4 or IPv6 address or CIDR.`);
  }
  return `${ip.toLowerCase()}/${bits ?? max}`;
}

/** Two connectors must not claim the same address: a client would count against whichever came first. */
function assertNoOverlap(all: readonly InboundConnector[], c: InboundConnector): void {
  const mine = new Set(c.SenderIPAddresses);
  const clash = all.find((o) => o.Id !== c.Id && o.SenderIPAddresses.some((x) => mine.has(x)));
  if (clash) fail(Errors.CONFLICT, `Inbound connector '${clash.Name}' already uses one of these SenderIPAddresses.`);
}
