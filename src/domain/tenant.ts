// Tenants, accepted domains, inbound connectors and groups: the directory facts a decision needs.
import { domainOf } from './address.js';

export const DEFAULT_TENANT_ID = 'default';

export interface Tenant {
  Id: string;
  Name: string;
  /**
   * Outgate's TERRL: external recipients the whole tenant may send in a rolling 24 h; 0 = no tenant limit
   * (the default, docs/tenancy.md). Set by a provider-level Global Administrator only.
   */
  ExternalRecipientLimitPerDay: number;
  WhenCreatedUTC: string;
}

export interface AcceptedDomain {
  Id: string;
  TenantId: string;
  Name: string;
  DomainName: string;
  WhenCreatedUTC: string;
}

export interface InboundConnector {
  /** A GUID, as Get-BlockedConnector -ConnectorId expects. */
  Id: string;
  TenantId: string;
  Name: string;
  Enabled: boolean;
  /** CIDRs (IPv4 or IPv6) the connector's mail arrives from, as `SenderIPAddresses` in EOP. */
  SenderIPAddresses: string[];
  Comment: string;
  /** Outgate extension: the connector's own limits, 0 = the service's connector defaults. */
  RecipientLimitExternalPerHour: number;
  RecipientLimitInternalPerHour: number;
  RecipientLimitPerDay: number;
  WhenCreatedUTC: string;
  WhenChangedUTC: string;
}

export interface DistributionGroup {
  Id: string;
  TenantId: string;
  Name: string;
  PrimarySmtpAddress: string;
  Members: string[];
  WhenCreatedUTC: string;
}

/** A recipient is internal when its domain is an accepted domain of the sender's tenant. */
export function isInternal(recipient: string, acceptedDomains: ReadonlySet<string>): boolean {
  return acceptedDomains.has(domainOf(recipient));
}
