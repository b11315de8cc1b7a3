// The HTTP API's answers as strict TypeBox schemas, shared by both ends: the server validates and
// serializes its answers by them (src/adapters/http/routes), and the portal reads their Static<> types
// (web/src/types.ts, type-only, so nothing of TypeBox reaches the bundle). Strict (no additional
// properties): a field the server adds must be added here, or it is not sent, and the portal's type
// changes with it. Pure: imports TypeBox only (.dependency-cruiser.cjs, shared-is-pure).
import { Type, type Static } from 'typebox';

const Time = Type.String({ description: 'ISO 8601, UTC.' });
const Strict = { additionalProperties: false } as const;

export const TenantSchema = Type.Object(
  {
    Id: Type.String(),
    Name: Type.String(),
    ExternalRecipientLimitPerDay: Type.Integer({
      description: 'External recipients per rolling 24 h for the whole tenant; 0 = no tenant limit.',
    }),
    WhenCreatedUTC: Time,
  },
  { ...Strict, description: 'A tenant.' },
);

export const AcceptedDomainSchema = Type.Object(
  { Id: Type.String(), TenantId: Type.String(), Name: Type.String(), DomainName: Type.String(), WhenCreatedUTC: Time },
  { ...Strict, description: 'An accepted domain.' },
);

export const InboundConnectorSchema = Type.Object(
  {
    Id: Type.String(),
    TenantId: Type.String(),
    Name: Type.String(),
    Enabled: Type.Boolean(),
    SenderIPAddresses: Type.Array(Type.String()),
    Comment: Type.String(),
    RecipientLimitExternalPerHour: Type.Integer(),
    RecipientLimitInternalPerHour: Type.Integer(),
    RecipientLimitPerDay: Type.Integer(),
    WhenCreatedUTC: Time,
    WhenChangedUTC: Time,
  },
  { ...Strict, description: 'An inbound connector.' },
);

export const RecipientPermissionSchema = Type.Object(
  {
    Id: Type.String(),
    TenantId: Type.String(),
    Identity: Type.String(),
    Trustee: Type.String(),
    AccessRights: Type.Immutable(Type.Array(Type.String())),
    WhenCreatedUTC: Time,
  },
  { ...Strict, description: 'Trustee may send as Identity.' },
);

export const AdminAccountSchema = Type.Object(
  {
    Id: Type.String(),
    Name: Type.String(),
    DisplayName: Type.String(),
    Role: Type.String(),
    TenantId: Type.Union([Type.String(), Type.Null()], { description: 'null: a provider-level account.' }),
    Enabled: Type.Boolean(),
    Email: Type.Union([Type.String(), Type.Null()]),
    WhenCreatedUTC: Time,
    WhenChangedUTC: Time,
  },
  { ...Strict, description: 'An admin account.' },
);

const WebhookProps = {
  Identity: Type.String(),
  Name: Type.String(),
  Url: Type.String(),
  Enabled: Type.Boolean(),
  TenantId: Type.String(),
  WhenCreated: Time,
};
export const AlertWebhookSchema = Type.Object(WebhookProps, { ...Strict, description: 'Where alerts are posted.' });
export const NewAlertWebhookSchema = Type.Object(
  { ...WebhookProps, Secret: Type.String() },
  { ...Strict, description: 'A new webhook, with its signing secret (in this answer only).' },
);

export type Tenant = Static<typeof TenantSchema>;
export type AcceptedDomain = Static<typeof AcceptedDomainSchema>;
export type InboundConnector = Static<typeof InboundConnectorSchema>;
export type RecipientPermission = Static<typeof RecipientPermissionSchema>;
export type AdminAccount = Static<typeof AdminAccountSchema>;
export type AlertWebhook = Static<typeof AlertWebhookSchema>;
export type NewAlertWebhook = Static<typeof NewAlertWebhookSchema>;

/** One step in a restriction's life (Get-BlockedSenderAddress's History). */
export const RestrictionEventSchema = Type.Object(
  {
    At: Time,
    Event: Type.String({ description: 'Restricted, Unblocked, Expired, …' }),
    Actor: Type.String(),
    Reason: Type.String(),
  },
  { ...Strict, description: 'A step in the restriction history.' },
);

const RestrictedEntityProps = {
  Entity: Type.Union([Type.Literal('Mailbox'), Type.Literal('Connector'), Type.Literal('Tenant')]),
  SenderAddress: Type.Optional(Type.String({ description: 'Mailbox rows.' })),
  ConnectorId: Type.Optional(Type.String({ description: 'Connector rows.' })),
  ConnectorName: Type.Optional(Type.String({ description: "Connector rows: the connector's name, or (removed)." })),
  TenantName: Type.Optional(Type.String({ description: "Tenant rows: the tenant's name, or (removed); its id is TenantId." })),
  TenantId: Type.String(),
  Reason: Type.String({ description: 'EOP\'s `Key=Value;` Reason string (docs/spec.md §2).' }),
  Policy: Type.String(),
  Action: Type.String(),
  Status: Type.Union([Type.Literal('Restricted'), Type.Literal('Released')]),
  CreatedDatetime: Time,
  ChangedDatetime: Time,
  ExpiresDatetime: Type.Union([Time, Type.Null()], { description: 'BlockUserForToday: the next 00:00 UTC; otherwise null.' }),
  History: Type.Array(RestrictionEventSchema),
};

export const RestrictedEntitySchema = Type.Object(RestrictedEntityProps, { ...Strict, description: 'A restricted entity (Get-BlockedSenderAddress, Get-BlockedConnector, Get-BlockedTenant).' });

export const RestrictedEntityDetailsSchema = Type.Object(
  {
    ...RestrictedEntityProps,
    SendingByHour: Type.Array(Type.Object({ Hour: Time, External: Type.Integer(), Internal: Type.Integer(), Messages: Type.Integer() }, Strict), {
      description: 'Recipients and messages per hour over the last 7 days.',
    }),
  },
  { ...Strict, description: 'A restricted entity with its sending over the last 7 days.' },
);

export type RestrictionEvent = Static<typeof RestrictionEventSchema>;
export type RestrictedEntity = Static<typeof RestrictedEntitySchema>;
export type RestrictedEntityDetails = Static<typeof RestrictedEntityDetailsSchema>;

const Addresses = Type.Array(Type.String());

export const OutboundPolicySchema = Type.Object(
  {
    Id: Type.String(),
    TenantId: Type.String(),
    Name: Type.String(),
    IsDefault: Type.Boolean({ description: 'The default policy: always on, lowest priority, cannot be removed.' }),
    AdminDisplayName: Type.String(),
    RecipientLimitExternalPerHour: Type.Integer({ description: '0: the service limit.' }),
    RecipientLimitInternalPerHour: Type.Integer({ description: '0: the service limit.' }),
    RecipientLimitPerDay: Type.Integer({ description: '0: the service limit.' }),
    ActionWhenThresholdReached: Type.Union([Type.Literal('BlockUserForToday'), Type.Literal('BlockUser'), Type.Literal('Alert')]),
    AutoForwardingMode: Type.Union([Type.Literal('Automatic'), Type.Literal('On'), Type.Literal('Off')]),
    BccSuspiciousOutboundMail: Type.Boolean(),
    BccSuspiciousOutboundAdditionalRecipients: Addresses,
    NotifyOutboundSpam: Type.Boolean(),
    NotifyOutboundSpamRecipients: Addresses,
    WhenCreatedUTC: Time,
    WhenChangedUTC: Time,
  },
  { ...Strict, description: 'An outbound spam filter policy (Get-HostedOutboundSpamFilterPolicy).' },
);

export const OutboundRuleSchema = Type.Object(
  {
    Id: Type.String(),
    TenantId: Type.String(),
    Name: Type.String(),
    HostedOutboundSpamFilterPolicy: Type.String({ description: 'The policy the rule applies.' }),
    Priority: Type.Integer({ description: '0 first.' }),
    State: Type.Union([Type.Literal('Enabled'), Type.Literal('Disabled')]),
    Comments: Type.String(),
    From: Addresses,
    FromMemberOf: Addresses,
    SenderDomainIs: Addresses,
    ExceptIfFrom: Addresses,
    ExceptIfFromMemberOf: Addresses,
    ExceptIfSenderDomainIs: Addresses,
    WhenCreatedUTC: Time,
    WhenChangedUTC: Time,
  },
  { ...Strict, description: 'An outbound spam filter rule (Get-HostedOutboundSpamFilterRule): who a custom policy covers.' },
);

export type OutboundPolicy = Static<typeof OutboundPolicySchema>;
export type OutboundRule = Static<typeof OutboundRuleSchema>;
