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
