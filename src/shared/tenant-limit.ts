// The most a tenant limit (Set-Tenant -ExternalRecipientLimitPerDay) may be set to. One copy for both
// ends: the use case and the route refuse more, and the portal's editor stops at it. Pure data.

/** EOP's TERRL for 100,000 licences is ~1.6 million. */
export const TENANT_LIMIT_MAX = 10_000_000;
