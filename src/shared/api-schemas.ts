// The HTTP API's answers as strict TypeBox schemas, shared by both ends: the server validates and
// serializes its answers by them (src/adapters/http/routes), and the portal reads their Static<> types
// (web/src/types.ts, type-only, so nothing of TypeBox reaches the bundle). Strict (no additional
// properties): a field the server adds must be added here, or it is not sent, and the portal's type
// changes with it. Pure: imports TypeBox only (.dependency-cruiser.cjs, shared-is-pure).
import { Type, type Static, type TSchema } from 'typebox';

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

export const RestrictedEntityListSchema = Type.Object(
  { total: Type.Integer({ description: 'Rows matching the filters, over all pages.' }), items: Type.Array(RestrictedEntitySchema) },
  { ...Strict, description: 'A page of restricted entities.' },
);
export type RestrictedEntityList = Static<typeof RestrictedEntityListSchema>;

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

export const WhatIfSchema = Type.Object(
  {
    Policy: Type.String({ description: 'The policy judged: the one changed, or the new one by its name.' }),
    From: Time,
    To: Time,
    SendersEvaluated: Type.Integer({ description: 'Senders with sending in the period that the proposed policy would cover.' }),
    Priority: Type.Union([Type.Integer(), Type.Null()], { description: "The rule's place (0 first) as saving would leave it; null for the default policy." }),
    EvaluatedAfter: Type.Array(Type.String(), { description: 'Policies tried before this one: the senders they cover are never judged by it.' }),
    Count: Type.Integer({ description: 'Senders the proposal would have restricted (or alerted on).' }),
    Restricted: Type.Array(
      Type.Object(
        {
          EntityType: Type.Literal('Mailbox'),
          Entity: Type.String(),
          At: Time,
          Limit: Type.String({ description: 'The limit first reached, e.g. RecipientLimitExternalPerHour.' }),
          Count: Type.Integer(),
          Threshold: Type.Integer(),
          Outcome: Type.Union([Type.Literal('Restricted'), Type.Literal('Alert')]),
        },
        Strict,
      ),
    ),
    CurrentCount: Type.Integer({ description: 'The same senders under the settings in force today, for comparison.' }),
    Note: Type.String(),
  },
  { ...Strict, description: 'The senders a proposed policy would have restricted over the last 7 days (saves nothing).' },
);
export type WhatIf = Static<typeof WhatIfSchema>;

// Alert policies and alerts (docs/spec.md §5). The literals are the domain's (src/domain/alert-policy.ts,
// alert.ts), which shared code may not import: the routes' typed handlers fail to compile if they part.
const Severity = Type.Union([Type.Literal('High'), Type.Literal('Medium'), Type.Literal('Low'), Type.Literal('Informational')]);
const AlertEvent = Type.Union([
  Type.Literal('UserRestricted'),
  Type.Literal('SendingLimitExceeded'),
  Type.Literal('SuspiciousSending'),
  Type.Literal('ConnectorRestricted'),
  Type.Literal('TenantRestricted'),
  Type.Literal('SuspiciousTenantSending'),
  Type.Literal('SuspiciousForwarding'),
]);
const AuditEnabled = Type.Boolean({ description: 'false: auditing is off, so no alert fires (docs/spec.md §5).' });
const SmtpConfigured = Type.Boolean({ description: 'false: alerts.smtp.host is not set, so alert email waits in the outbox.' });

const AlertPolicyProps = {
  Identity: Type.String(),
  Name: Type.String(),
  Category: Type.Literal('ThreatManagement'),
  Severity,
  Description: Type.String(),
  IsSystemRule: Type.Boolean(),
  Disabled: Type.Boolean(),
  Event: AlertEvent,
  NotificationEnabled: Type.Boolean(),
  NotifyUser: Type.Array(Type.String()),
  DailyNotificationLimit: Type.Union([Type.Integer(), Type.Null()], { description: 'null: no limit.' }),
  AggregationMinutes: Type.Integer(),
  TenantId: Type.String(),
  WhenChanged: Time,
  Recipients: Type.Array(Type.String(), { description: 'The addresses NotifyUser resolves to now; empty: its email goes to no one.' }),
  UnresolvedRecipients: Type.Array(Type.Object({ Name: Type.String(), Reason: Type.String() }, Strict), {
    description: 'NotifyUser entries that resolve to no address, and why.',
  }),
};
export const AlertPolicySchema = Type.Object(AlertPolicyProps, { ...Strict, description: 'An alert policy (Get-ProtectionAlert).' });
export type AlertPolicy = Static<typeof AlertPolicySchema>;
export const AlertPolicyListSchema = Type.Object(
  { auditEnabled: AuditEnabled, smtpConfigured: SmtpConfigured, items: Type.Array(AlertPolicySchema) },
  { ...Strict, description: 'The alert policies, and whether they can fire and send email.' },
);
export type AlertPolicyList = Static<typeof AlertPolicyListSchema>;
export const AlertPolicyOneSchema = Type.Object(
  { ...AlertPolicyProps, auditEnabled: AuditEnabled, smtpConfigured: Type.Optional(SmtpConfigured) },
  { ...Strict, description: 'An alert policy, and whether it can fire (and, when read, send email).' },
);
export type AlertPolicyOne = Static<typeof AlertPolicyOneSchema>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const AlertProps = {
  Identity: Type.String(),
  PolicyIdentity: Type.String(),
  PolicyName: Type.String(),
  Severity,
  Category: Type.Literal('ThreatManagement'),
  Status: Type.Union([Type.Literal('New'), Type.Literal('InProgress'), Type.Literal('Resolved')]),
  EntityType: Type.Union([Type.Literal('Mailbox'), Type.Literal('Connector'), Type.Literal('Tenant')]),
  Entity: Type.String(),
  Reason: Type.String(),
  FirstEventAt: Time,
  LastEventAt: Time,
  EventCount: Type.Integer(),
  TenantId: Type.String(),
};
export const AlertSchema = Type.Object(AlertProps, { ...Strict, description: 'An alert (Get-Alert).' });
export type Alert = Static<typeof AlertSchema>;
export const AlertListSchema = Type.Object(
  { auditEnabled: AuditEnabled, total: Type.Integer(), items: Type.Array(AlertSchema) },
  { ...Strict, description: 'A page of alerts, newest event first.' },
);
export type AlertList = Static<typeof AlertListSchema>;
export const AlertNotificationSchema = Type.Object(
  {
    Channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
    Recipient: Type.String(),
    Status: Type.Union([Type.Literal('Pending'), Type.Literal('Sent'), Type.Literal('Failed'), Type.Literal('Suppressed'), Type.Literal('Undeliverable')]),
    Attempts: Type.Integer(),
    LastError: Nullable(Type.String()),
    LastAttemptAt: Nullable(Time),
    SentAt: Nullable(Time),
  },
  { ...Strict, description: 'One notification of an alert, with its delivery attempts.' },
);
export const AlertDetailSchema = Type.Object(
  {
    ...AlertProps,
    auditEnabled: AuditEnabled,
    Events: Type.Array(Type.Object({ At: Time, Operation: Type.String(), Reason: Type.String() }, Strict)),
    Notifications: Type.Array(AlertNotificationSchema),
  },
  { ...Strict, description: 'An alert with its events and notifications (delivery attempts included).' },
);
export type AlertDetail = Static<typeof AlertDetailSchema>;

export const AuditRecordSchema = Type.Object(
  {
    Sequence: Type.Integer({ description: 'Its place in the hash chain, 1 first.' }),
    CreationDate: Time,
    TenantId: Type.String(),
    UserId: Type.String({ description: 'Who acted: an admin account, or system.' }),
    Role: Type.String(),
    Source: Type.String({ description: 'cli, api, portal or system.' }),
    ClientIP: Nullable(Type.String()),
    Operation: Type.String(),
    ObjectId: Type.String({ description: 'The target, e.g. Mailbox:julia@contoso.com.' }),
    Before: Type.Unknown({ description: 'The object before the change; null when it was created.' }),
    After: Type.Unknown({ description: 'The object after the change; null when it was removed.' }),
    ResultStatus: Type.String(),
    Hash: Type.String({ description: "The record's link in the hash chain." }),
  },
  { ...Strict, description: 'An audit record (Search-AdminAuditLog).' },
);
export const AuditConfigSchema = Type.Object(
  { UnifiedAuditLogIngestionEnabled: Type.Boolean(), AlertsCanFire: Type.Boolean(), Note: Type.String() },
  { ...Strict, description: 'Audit logging on or off, and whether alerts can fire (Get-AdminAuditLogConfig).' },
);
export const AuditIntegritySchema = Type.Union(
  [
    Type.Object(
      {
        ok: Type.Literal(true),
        records: Type.Integer({ description: "Records in the chain (a tenant's admin: its own)." }),
        head: Type.Optional(Type.String({ description: "The chain head's hash (a provider-level administrator)." })),
        anchor: Type.Optional(Type.String({ description: 'The head as <sequence>:<hash>, to keep outside the database as the next anchor.' })),
        anchorsChecked: Type.Optional(Type.Integer()),
      },
      Strict,
    ),
    Type.Object(
      {
        ok: Type.Literal(false),
        records: Type.Integer(),
        brokenAt: Type.Integer({ description: 'The first broken record.' }),
        reason: Type.String(),
      },
      Strict,
    ),
  ],
  { description: 'The chain holds (Test-AuditLogIntegrity), or where it first breaks.' },
);
export type AuditRecord = Static<typeof AuditRecordSchema>;
export type AuditConfig = Static<typeof AuditConfigSchema>;
export type AuditIntegrity = Static<typeof AuditIntegritySchema>;

// The portal's session and run-time settings.
export const SessionInfoSchema = Type.Object(
  {
    account: Type.Object(
      {
        id: Type.String(),
        name: Type.String(),
        displayName: Type.String(),
        role: Type.String(),
        tenantId: Nullable(Type.String()),
        tenantName: Nullable(Type.String()),
      },
      { ...Strict, description: 'Who is signed in; tenantId null: a provider-level account.' },
    ),
    csrfToken: Type.String({ description: 'Sent back as x-csrf-token on every change.' }),
    idleExpiresAt: Time,
    absoluteExpiresAt: Time,
  },
  { ...Strict, description: 'The signed-in account, its role and tenant, and the CSRF token.' },
);
export type SessionInfo = Static<typeof SessionInfoSchema>;

export const PortalConfigSchema = Type.Object(
  {
    mfaUrl: Type.String({ description: "The Enable MFA link's target; {user} is the user's address." }),
    passwordResetUrl: Type.String({ description: "The Reset the user's password link's target; {user} as above." }),
    version: Type.String(),
  },
  { ...Strict, description: "The portal's run-time settings." },
);
export type PortalConfigAnswer = Static<typeof PortalConfigSchema>;

/** One hour of a sender's recipients. */
export const HourCountSchema = Type.Object(
  { Hour: Time, External: Type.Integer(), Internal: Type.Integer(), Messages: Type.Integer() },
  { ...Strict, description: "One hour of a sender's recipients and messages." },
);
const SenderActivityProps = {
  EntityType: Type.Union([Type.Literal('Mailbox'), Type.Literal('Connector'), Type.Literal('Tenant')]),
  Entity: Type.String({ description: "The address, or the connector's name." }),
  ConnectorId: Type.Optional(Type.String({ description: 'Connector rows.' })),
  TenantId: Type.String(),
  Policy: Type.String(),
  Action: Type.String(),
  ExternalLastHour: Type.Integer(),
  InternalLastHour: Type.Integer(),
  Last24Hours: Type.Integer(),
  MessagesLastMinute: Type.Integer(),
  LimitExternalPerHour: Type.Integer(),
  LimitInternalPerHour: Type.Integer(),
  LimitPerDay: Type.Integer(),
  ShareExternal: Type.Number({ description: 'Share of the limit used, 0..1 (above 1 only for a sender already past it).' }),
  ShareInternal: Type.Number(),
  ShareDay: Type.Number(),
  Share: Type.Number({ description: 'The largest of the three: how close the sender is to being restricted.' }),
  Restricted: Type.Boolean(),
};
export const SenderActivitySchema = Type.Object(SenderActivityProps, { ...Strict, description: 'A sender, its counts now, its limits and the share of each used.' });
export type SenderActivity = Static<typeof SenderActivitySchema>;
export type HourCount = Static<typeof HourCountSchema>;
export const SendingActivityListSchema = Type.Object(
  { At: Time, Total: Type.Integer(), Items: Type.Array(SenderActivitySchema) },
  { ...Strict, description: 'The senders closest to their limits right now, largest share first.' },
);
export const SenderActivityDetailSchema = Type.Object(
  { ...SenderActivityProps, ByHour: Type.Array(HourCountSchema, { description: 'Every hour of the last 7 days, zeros included.' }) },
  { ...Strict, description: 'One sender now, and its recipients per hour over the last 7 days.' },
);
export type SendingActivityList = Static<typeof SendingActivityListSchema>;
export type SenderActivityDetail = Static<typeof SenderActivityDetailSchema>;

const EntityRef = Type.Object(
  { EntityType: Type.Union([Type.Literal('Mailbox'), Type.Literal('Connector'), Type.Literal('Tenant')]), Identity: Type.String(), TenantId: Type.String() },
  Strict,
);
export const CheckAnswerSchema = Type.Object(
  {
    Decision: Type.Union([Type.Literal('Accept'), Type.Literal('Reject'), Type.Literal('Defer')], {
      description: 'Accept: send it (it has been counted). Reject: do not send, permanently. Defer: try later.',
    }),
    SmtpReply: Type.Union([Type.String(), Type.Null()], { description: 'The reply an SMTP server would give, e.g. 550 5.1.8 Access denied, bad outbound sender; null on Accept.' }),
    Counted: Type.Boolean({ description: 'Whether the message now counts against the limits of the sender.' }),
    RefusedRecipient: Type.Union([Type.String(), Type.Null()], { description: 'The recipient that could not be accepted, when the refusal came at one.' }),
    Sender: Type.Union([EntityRef, Type.Null()], { description: 'Who the message counts against; null when no login or connector covers it.' }),
    Policy: Type.Union([Type.String(), Type.Null()], { description: 'The outbound spam policy the sender is held to.' }),
    Restricted: Type.Boolean({ description: 'The sender itself is restricted (a restriction of its tenant is TenantRestricted).' }),
    RestrictionExpires: Type.Union([Time, Type.Null()]),
    TenantRestricted: Type.Boolean({
      description: 'The tenant of the sender is restricted (tenant external recipient limit): its external recipients are refused (5.7.233 at RCPT, 5.7.705 at the end of a message), internal mail flows.',
    }),
    RestrictedBy: Type.Union([EntityRef, Type.Null()], {
      description: 'Whose restriction the refusal comes from: the sender, or its tenant (EntityType Tenant, Identity the tenant id); null when none did.',
    }),
    Counts: Type.Union(
      [Type.Object({ ExternalLastHour: Type.Integer(), InternalLastHour: Type.Integer(), Last24Hours: Type.Integer(), MessagesLastMinute: Type.Integer() }, Strict), Type.Null()],
      { description: 'The windows of the sender after this check.' },
    ),
    Limits: Type.Union([Type.Object({ ExternalPerHour: Type.Integer(), InternalPerHour: Type.Integer(), PerDay: Type.Integer(), Action: Type.String() }, Strict), Type.Null()]),
  },
  { ...Strict, description: 'The decision on one message, as the Postfix policy server would make it, with the counts and limits of the sender.' },
);
export type CheckAnswer = Static<typeof CheckAnswerSchema>;

export const ApiKeySchema = Type.Object(
  {
    Id: Type.String(),
    AccountId: Type.String(),
    Name: Type.String(),
    WhenCreatedUTC: Time,
    LastUsedUTC: Type.Union([Time, Type.Null()]),
    RevokedUTC: Type.Union([Time, Type.Null()]),
  },
  { ...Strict, description: 'An API key (never its secret).' },
);
export const NewApiKeySchema = Type.Object(
  { ...ApiKeySchema.properties, Secret: Type.String({ description: 'og_<id>_<secret>: shown in this answer only.' }) },
  { ...Strict, description: 'A new API key with its secret, shown only here.' },
);
