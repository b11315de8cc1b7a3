// The cmdlets, as data: names and parameters as in Exchange Online PowerShell (docs/spec.md §2, §3), each
// calling one use case. Adding a cmdlet is adding a row here.
import * as domains from '../app/accepted-domains.js';
import * as auditLog from '../app/audit-log.js';
import * as accounts from '../app/accounts.js';
import * as connectors from '../app/connectors.js';
import type { AdminContext } from '../app/directory-change.js';
import * as groups from '../app/groups.js';
import * as recipientPermissions from '../app/recipient-permissions.js';
import * as policies from '../app/policies.js';
import * as blocked from '../app/restricted-entities.js';
import * as rules from '../app/rules.js';
import * as tenants from '../app/tenants.js';
import * as alertPolicies from '../app/alert-policies.js';
import * as alerts from '../app/alerts.js';
import * as webhooks from '../app/alert-webhooks.js';
import type { ParamSpec } from './argv.js';

export type Args = Record<string, unknown>;

export interface Cmdlet {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly ParamSpec[];
  /** Table columns when several objects are shown. */
  readonly columns?: readonly string[];
  run(ctx: AdminContext, a: Args): Promise<unknown>;
  /** What to print of a result, when not the result itself. */
  output?(result: unknown): unknown;
  /** A line for stderr about the result (e.g. why alerts cannot fire). */
  notice?(result: unknown): string | undefined;
  /** The exit status for a result (a check that found a problem); 0 when absent. */
  exitCode?(result: unknown): number;
}

const s = (name: string, help: string, extra: Partial<ParamSpec> = {}): ParamSpec => ({ name, kind: 'string', help, ...extra });
const list = (name: string, help: string): ParamSpec => ({ name, kind: 'list', help });
const bool = (name: string, help: string): ParamSpec => ({ name, kind: 'bool', help });
const int = (name: string, help: string): ParamSpec => ({ name, kind: 'int', help });
const identity = (what: string, required = true): ParamSpec => s('Identity', `Name or id of the ${what}.`, { required, positional: true });
const name = (what: string): ParamSpec => s('Name', `Name of the ${what} (at most 64 characters).`, { required: true, positional: true });
const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

const POLICY_SETTINGS: ParamSpec[] = [
  int('RecipientLimitExternalPerHour', 'External recipients per hour, 0-10000 (0 = service default 500).'),
  int('RecipientLimitInternalPerHour', 'Internal recipients per hour, 0-10000 (0 = service default 1000).'),
  int('RecipientLimitPerDay', 'Recipients per day, 0-10000 (0 = service default 1000).'),
  s('ActionWhenThresholdReached', 'BlockUserForToday (default), BlockUser or Alert.'),
  s('AutoForwardingMode', 'Automatic (default), On or Off.'),
  bool('BccSuspiciousOutboundMail', 'Send a copy of suspicious outbound messages (default policy only).'),
  list('BccSuspiciousOutboundAdditionalRecipients', 'Who gets those copies.'),
  bool('NotifyOutboundSpam', 'Deprecated in EOP: use the alert policy.'),
  list('NotifyOutboundSpamRecipients', 'Deprecated in EOP: use the alert policy.'),
  s('AdminDisplayName', 'Description.'),
];
const SETTING_NAMES = POLICY_SETTINGS.map((p) => p.name);
const pick = (a: Args, names: readonly string[]): Args => Object.fromEntries(names.filter((n) => a[n] !== undefined).map((n) => [n, a[n]]));

const RULE_CONDITIONS: ParamSpec[] = [
  list('From', 'Sender addresses the rule covers.'),
  list('FromMemberOf', 'Groups (by address) whose members the rule covers.'),
  list('SenderDomainIs', 'Sender domains (and their subdomains) the rule covers.'),
  list('ExceptIfFrom', 'Sender addresses excepted.'),
  list('ExceptIfFromMemberOf', 'Groups excepted.'),
  list('ExceptIfSenderDomainIs', 'Domains excepted.'),
  int('Priority', '0 is tried first; others shift to make room.'),
  s('Comments', 'Notes (at most 1024 characters).'),
];
const RULE_FIELDS = [...RULE_CONDITIONS.map((p) => p.name), 'HostedOutboundSpamFilterPolicy', 'Enabled', 'Name'];

const CONNECTOR_FIELDS: ParamSpec[] = [
  list('SenderIPAddresses', 'Source IPv4/IPv6 addresses or CIDRs of the connector.'),
  bool('Enabled', 'Whether mail from these addresses is counted as the connector.'),
  s('Comment', 'Notes.'),
  int('RecipientLimitExternalPerHour', 'Connector limit, 0-10000 (0 = service connector default).'),
  int('RecipientLimitInternalPerHour', 'Connector limit, 0-10000 (0 = service connector default).'),
  int('RecipientLimitPerDay', 'Connector limit, 0-10000 (0 = service connector default).'),
];
const CONNECTOR_NAMES = [...CONNECTOR_FIELDS.map((p) => p.name), 'Name'];

const ALERT_POLICY_SETTINGS: ParamSpec[] = [
  bool('Disabled', '$true turns the policy off, $false on.'),
  bool('NotificationEnabled', 'Opt-in for email notifications ($true or $false).'),
  list('NotifyUser', 'Email recipients: TenantAdmins (the default), addresses or admin account names.'),
  s('DailyNotificationLimit', 'NoLimit (the default) or 1, 5, 10, 25, 50, 150, 200.'),
  s('Severity', 'High, Medium, Low or Informational (custom policies).'),
  int('AggregationMinutes', 'Repeat events within this many minutes join the open alert (custom policies; default 15).'),
  s('Description', 'Description (custom policies).'),
];
const ALERT_POLICY_NAMES = ALERT_POLICY_SETTINGS.map((p) => p.name);

/** Alert views carry auditEnabled; the CLI prints the items and says on stderr when alerts cannot fire. */
const AUDIT_OFF =
  'Audit logging is OFF: no alert fires until it is turned on (Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true).';
const alertView = {
  output: (r: unknown) => ((r as { items?: unknown }).items !== undefined ? (r as { items: unknown }).items : r),
  notice: (r: unknown) => ((r as { auditEnabled?: boolean }).auditEnabled === false ? AUDIT_OFF : undefined),
};

const BLOCKED_COLUMNS = ['SenderAddress', 'Reason', 'CreatedDatetime', 'ExpiresDatetime', 'Policy'];

export const CMDLETS: readonly Cmdlet[] = [
  {
    name: 'Get-BlockedSenderAddress',
    summary: 'List senders restricted from sending (the Restricted entities of type Mailbox).',
    params: [s('SenderAddress', 'Show only this sender.')],
    columns: BLOCKED_COLUMNS,
    run: (ctx, a) => blocked.getBlockedSenders(ctx, str(a.SenderAddress)),
  },
  {
    name: 'Remove-BlockedSenderAddress',
    summary: 'Unblock a restricted sender; its sending windows restart.',
    params: [s('SenderAddress', 'The restricted sender.', { required: true, positional: true }), s('Reason', 'Why you are unblocking.')],
    run: (ctx, a) => blocked.unblockSender(ctx, String(a.SenderAddress), str(a.Reason)),
  },
  {
    name: 'Get-BlockedConnector',
    summary: 'List inbound connectors restricted from relaying.',
    params: [s('ConnectorId', 'Show only this connector (id or name).')],
    columns: ['ConnectorId', 'ConnectorName', 'Reason', 'CreatedDatetime'],
    run: (ctx, a) => blocked.getBlockedConnectors(ctx, str(a.ConnectorId)),
  },
  {
    name: 'Remove-BlockedConnector',
    summary: 'Unblock a restricted inbound connector.',
    params: [s('ConnectorId', 'The connector (id or name).', { required: true, positional: true }), s('Reason', 'Why you are unblocking.')],
    run: (ctx, a) => blocked.unblockConnector(ctx, String(a.ConnectorId), str(a.Reason)),
  },
  {
    name: 'Get-BlockedTenant',
    summary: 'List tenants restricted for their external recipient limit (the Restricted entities of type Tenant).',
    params: [s('Identity', 'Show only this tenant (id or name).', { positional: true })],
    columns: ['TenantName', 'TenantId', 'Reason', 'CreatedDatetime'],
    run: (ctx, a) => blocked.getBlockedTenants(ctx, str(a.Identity)),
  },
  {
    name: 'Remove-BlockedTenant',
    summary: 'Unblock a restricted tenant; its external recipient count restarts (provider-level Global Administrator).',
    params: [s('Identity', 'The tenant (id or name).', { required: true, positional: true }), s('Reason', 'Why you are unblocking.')],
    run: (ctx, a) => blocked.unblockTenant(ctx, String(a.Identity), str(a.Reason)),
  },
  {
    name: 'Get-HostedOutboundSpamFilterPolicy',
    summary: 'Show outbound spam policies.',
    params: [identity('policy', false)],
    columns: [
      'Name',
      'IsDefault',
      'RecipientLimitExternalPerHour',
      'RecipientLimitInternalPerHour',
      'RecipientLimitPerDay',
      'ActionWhenThresholdReached',
    ],
    run: (ctx, a) => policies.getPolicies(ctx, str(a.Identity)),
  },
  {
    name: 'New-HostedOutboundSpamFilterPolicy',
    summary: 'Create an outbound spam policy (bind it to senders with New-HostedOutboundSpamFilterRule).',
    params: [name('policy'), ...POLICY_SETTINGS, s('RecommendedPolicyType', 'Accepted and ignored, as for EOP\'s presets (docs/spec.md §3).')],
    run: (ctx, a) => policies.newPolicy(ctx, String(a.Name), pick(a, [...SETTING_NAMES, 'RecommendedPolicyType'])),
  },
  {
    name: 'Set-HostedOutboundSpamFilterPolicy',
    summary: 'Change an outbound spam policy, the default one included.',
    params: [identity('policy'), ...POLICY_SETTINGS],
    run: (ctx, a) => policies.setPolicy(ctx, String(a.Identity), pick(a, SETTING_NAMES)),
  },
  {
    name: 'Remove-HostedOutboundSpamFilterPolicy',
    summary: 'Remove a custom outbound spam policy (not the default).',
    params: [identity('policy')],
    run: (ctx, a) => policies.removePolicy(ctx, String(a.Identity)),
  },
  {
    name: 'Get-HostedOutboundSpamFilterRule',
    summary: 'Show outbound spam filter rules in priority order.',
    params: [identity('rule', false), s('State', 'Enabled or Disabled.')],
    columns: ['Name', 'State', 'Priority', 'HostedOutboundSpamFilterPolicy', 'From', 'SenderDomainIs'],
    run: (ctx, a) => rules.getRules(ctx, str(a.Identity), str(a.State)),
  },
  {
    name: 'New-HostedOutboundSpamFilterRule',
    summary: 'Bind a custom policy to senders.',
    params: [
      name('rule'),
      s('HostedOutboundSpamFilterPolicy', 'The policy to apply.', { required: true }),
      bool('Enabled', 'Default $true.'),
      ...RULE_CONDITIONS,
    ],
    run: (ctx, a) => rules.newRule(ctx, String(a.Name), pick(a, RULE_FIELDS)),
  },
  {
    name: 'Set-HostedOutboundSpamFilterRule',
    summary: 'Change a rule: conditions, exceptions, priority, policy or name.',
    params: [identity('rule'), s('Name', 'New name.'), s('HostedOutboundSpamFilterPolicy', 'The policy to apply.'), ...RULE_CONDITIONS],
    run: (ctx, a) => rules.setRule(ctx, String(a.Identity), pick(a, RULE_FIELDS)),
  },
  {
    name: 'Enable-HostedOutboundSpamFilterRule',
    summary: 'Turn a rule on.',
    params: [identity('rule')],
    run: (ctx, a) => rules.setRuleState(ctx, String(a.Identity), true),
  },
  {
    name: 'Disable-HostedOutboundSpamFilterRule',
    summary: 'Turn a rule off.',
    params: [identity('rule')],
    run: (ctx, a) => rules.setRuleState(ctx, String(a.Identity), false),
  },
  {
    name: 'Remove-HostedOutboundSpamFilterRule',
    summary: 'Remove a rule (its policy stays).',
    params: [identity('rule')],
    run: (ctx, a) => rules.removeRule(ctx, String(a.Identity)),
  },
  {
    name: 'Get-ProtectionAlert',
    summary: 'Show alert policies: the built-in Threat management ones and custom ones.',
    params: [identity('alert policy', false)],
    columns: ['Name', 'Severity', 'Disabled', 'NotificationEnabled', 'NotifyUser', 'DailyNotificationLimit', 'IsSystemRule'],
    run: (ctx, a) =>
      a.Identity === undefined ? alertPolicies.getAlertPolicies(ctx) : alertPolicies.getAlertPolicy(ctx, String(a.Identity)),
    ...alertView,
  },
  {
    name: 'Set-ProtectionAlert',
    summary: 'Change an alert policy: built-in ones only Disabled, NotificationEnabled, NotifyUser, DailyNotificationLimit.',
    params: [identity('alert policy'), ...ALERT_POLICY_SETTINGS],
    run: (ctx, a) => alertPolicies.setAlertPolicy(ctx, String(a.Identity), pick(a, ALERT_POLICY_NAMES)),
  },
  {
    name: 'New-ProtectionAlert',
    summary: 'Create a custom alert policy on one of the event kinds.',
    params: [
      name('alert policy'),
      s('Event', 'UserRestricted, SendingLimitExceeded, SuspiciousSending, ConnectorRestricted, TenantRestricted, SuspiciousTenantSending or SuspiciousForwarding.', { required: true }),
      ...ALERT_POLICY_SETTINGS,
    ],
    run: (ctx, a) => alertPolicies.newAlertPolicy(ctx, pick(a, ['Name', 'Event', ...ALERT_POLICY_NAMES])),
  },
  {
    name: 'Remove-ProtectionAlert',
    summary: 'Remove a custom alert policy (built-in ones can only be turned off).',
    params: [identity('alert policy')],
    run: (ctx, a) => alertPolicies.removeAlertPolicy(ctx, String(a.Identity)),
  },
  {
    name: 'Get-Alert',
    summary: 'Show alerts, newest first; one alert with its events and notifications.',
    params: [
      identity('alert', false),
      s('Status', 'New, InProgress or Resolved.'),
      s('Severity', 'High, Medium, Low or Informational.'),
      s('EntityType', 'Mailbox, Connector or Tenant.'),
      int('ResultSize', 'At most this many (1-500, default 50).'),
    ],
    columns: ['Identity', 'Severity', 'Status', 'PolicyName', 'Entity', 'EventCount', 'LastEventAt'],
    run: (ctx, a) =>
      a.Identity !== undefined
        ? alerts.getAlert(ctx, String(a.Identity))
        : alerts.listAlerts(ctx, { status: a.Status, severity: a.Severity, entityType: a.EntityType, pageSize: a.ResultSize }),
    ...alertView,
  },
  {
    name: 'Set-Alert',
    summary: 'Change the status of an alert: New, InProgress or Resolved.',
    params: [identity('alert'), s('Status', 'New, InProgress or Resolved.', { required: true })],
    run: (ctx, a) => alerts.setAlertStatus(ctx, String(a.Identity), a.Status),
  },
  {
    name: 'Get-AlertWebhook',
    summary: 'Show where alerts are posted (never the secrets).',
    params: [],
    columns: ['Name', 'Url', 'Enabled', 'Identity'],
    run: (ctx) => webhooks.getWebhooks(ctx),
  },
  {
    name: 'New-AlertWebhook',
    summary: 'Post alerts as signed JSON to a URL; the signing Secret is shown once.',
    params: [name('webhook'), s('Url', 'http:// or https:// URL.', { required: true }), bool('Enabled', 'Default $true.')],
    run: (ctx, a) => webhooks.newWebhook(ctx, { Name: a.Name, Url: a.Url, Enabled: a.Enabled }),
  },
  {
    name: 'Remove-AlertWebhook',
    summary: 'Remove an alert webhook.',
    params: [identity('webhook')],
    run: (ctx, a) => webhooks.removeWebhook(ctx, String(a.Identity)),
  },
  {
    name: 'Get-AcceptedDomain',
    summary: 'Show accepted domains (recipients there are internal).',
    params: [identity('accepted domain', false)],
    columns: ['Name', 'DomainName', 'WhenCreatedUTC'],
    run: (ctx, a) => domains.getAcceptedDomains(ctx, str(a.Identity)),
  },
  {
    name: 'New-AcceptedDomain',
    summary: 'Add an accepted domain.',
    params: [name('accepted domain'), s('DomainName', 'The domain, e.g. contoso.com.', { required: true })],
    run: (ctx, a) => domains.newAcceptedDomain(ctx, String(a.Name), String(a.DomainName)),
  },
  {
    name: 'Remove-AcceptedDomain',
    summary: 'Remove an accepted domain.',
    params: [identity('accepted domain')],
    run: (ctx, a) => domains.removeAcceptedDomain(ctx, String(a.Identity)),
  },
  {
    name: 'Get-InboundConnector',
    summary: 'Show inbound connectors.',
    params: [identity('connector', false)],
    columns: ['Name', 'Id', 'Enabled', 'SenderIPAddresses'],
    run: (ctx, a) => connectors.getConnectors(ctx, str(a.Identity)),
  },
  {
    name: 'New-InboundConnector',
    summary: 'Add an inbound connector: unauthenticated mail from its addresses is counted as it.',
    params: [name('connector'), ...CONNECTOR_FIELDS],
    run: (ctx, a) => connectors.newConnector(ctx, String(a.Name), pick(a, CONNECTOR_NAMES)),
  },
  {
    name: 'Set-InboundConnector',
    summary: 'Change an inbound connector.',
    params: [identity('connector'), s('Name', 'New name.'), ...CONNECTOR_FIELDS],
    run: (ctx, a) => connectors.setConnector(ctx, String(a.Identity), pick(a, CONNECTOR_NAMES)),
  },
  {
    name: 'Remove-InboundConnector',
    summary: 'Remove an inbound connector.',
    params: [identity('connector')],
    run: (ctx, a) => connectors.removeConnector(ctx, String(a.Identity)),
  },
  {
    name: 'Get-DistributionGroup',
    summary: 'Show groups used by FromMemberOf.',
    params: [identity('group', false)],
    columns: ['Name', 'PrimarySmtpAddress', 'Members'],
    run: (ctx, a) => groups.getGroups(ctx, str(a.Identity)),
  },
  {
    name: 'New-DistributionGroup',
    summary: 'Create a group for FromMemberOf conditions.',
    params: [
      name('group'),
      s('PrimarySmtpAddress', 'The group address rules refer to.', { required: true }),
      list('Members', 'Member addresses.'),
    ],
    run: (ctx, a) => groups.newGroup(ctx, String(a.Name), String(a.PrimarySmtpAddress), a.Members),
  },
  {
    name: 'Update-DistributionGroupMember',
    summary: 'Replace the members of a group.',
    params: [identity('group'), list('Members', 'Member addresses (replaces the list).')],
    run: (ctx, a) => groups.setGroupMembers(ctx, String(a.Identity), a.Members),
  },
  {
    name: 'Remove-DistributionGroup',
    summary: 'Remove a group.',
    params: [identity('group')],
    run: (ctx, a) => groups.removeGroup(ctx, String(a.Identity)),
  },
  {
    name: 'Get-RecipientPermission',
    summary: 'Show Send As grants (who may send as whom, for policy selection).',
    params: [s('Identity', 'The mailbox sent as.', { positional: true }), s('Trustee', 'The login allowed to send as it.')],
    columns: ['Identity', 'Trustee', 'AccessRights'],
    run: (ctx, a) => recipientPermissions.getRecipientPermissions(ctx, { Identity: a.Identity, Trustee: a.Trustee }),
  },
  {
    name: 'Add-RecipientPermission',
    summary: "Let -Trustee send as -Identity: its messages with that From are held to Identity's policy.",
    params: [
      s('Identity', 'The mailbox sent as.', { required: true, positional: true }),
      s('Trustee', 'The login allowed to send as it.', { required: true }),
      s('AccessRights', 'SendAs.', { required: true }),
    ],
    run: (ctx, a) => recipientPermissions.addRecipientPermission(ctx, { Identity: a.Identity, Trustee: a.Trustee, AccessRights: a.AccessRights }),
  },
  {
    name: 'Remove-RecipientPermission',
    summary: 'Withdraw a Send As grant.',
    params: [
      s('Identity', 'The mailbox sent as.', { required: true, positional: true }),
      s('Trustee', 'The login that may no longer send as it.', { required: true }),
      s('AccessRights', 'SendAs.', { required: true }),
    ],
    run: (ctx, a) => recipientPermissions.removeRecipientPermission(ctx, { Identity: a.Identity, Trustee: a.Trustee, AccessRights: a.AccessRights }),
  },
  {
    name: 'Search-AdminAuditLog',
    summary: 'Search the audit log (newest first); --format csv or json to export.',
    params: [
      s('StartDate', 'From this time (inclusive), e.g. 2026-11-28 or 2026-11-28T10:00:00Z.'),
      s('EndDate', 'Up to this time (exclusive).'),
      list('Operations', 'Operations, e.g. Remove-BlockedSenderAddress,SenderRestricted.'),
      list('UserIds', 'Who acted (user names, or system).'),
      list('ObjectIds', 'Targets, e.g. Mailbox:julia@contoso.com.'),
      int('ResultSize', 'At most this many records (1-50000, default 1000).'),
    ],
    columns: ['Sequence', 'CreationDate', 'UserId', 'Source', 'Operation', 'ObjectId', 'ResultStatus'],
    run: (ctx, a) => auditLog.searchAuditLog(ctx, a),
  },
  {
    name: 'Test-AuditLogIntegrity',
    summary: 'Verify the audit log hash chain and the anchors kept outside it; names the first broken record. Exits 4 when broken.',
    params: [
      list(
        'Anchor',
        'Chain heads exported earlier (<sequence>:<hash>, as this cmdlet and the server log print them): each must still be in the log.',
      ),
    ],
    run: (ctx, a) => auditLog.testAuditLogIntegrity(ctx, a),
    exitCode: (r) => ((r as { ok: boolean }).ok ? 0 : 4),
  },
  {
    name: 'Get-AdminAuditLogConfig',
    summary: 'Show whether audit logging is on (alerts need it).',
    params: [],
    run: (ctx) => auditLog.getAuditConfig(ctx),
  },
  {
    name: 'Set-AdminAuditLogConfig',
    summary: 'Turn audit logging on or off (the switch itself is always audited).',
    params: [{ ...bool('UnifiedAuditLogIngestionEnabled', '$true or $false.'), required: true }],
    run: (ctx, a) => auditLog.setAuditConfig(ctx, a.UnifiedAuditLogIngestionEnabled),
  },
  {
    name: 'Get-AdminAccount',
    summary: 'Show admin accounts (who may use the API and portal, with which role).',
    params: [],
    columns: ['Name', 'Role', 'TenantId', 'Enabled', 'WhenCreatedUTC'],
    run: (ctx) => accounts.getAccounts(ctx),
  },
  {
    name: 'New-AdminAccount',
    summary: 'Create an admin account; --tenant binds it to one tenant, else it is provider-level.',
    params: [
      name('account'),
      s(
        'Role',
        'Global Administrator, Organization Management, Security Administrator, Global Reader, Security Reader or View-Only Organization Management.',
        { required: true },
      ),
      s('DisplayName', 'Name shown.'),
      s('Password', 'Portal password (12-256 characters).'),
      s('Email', 'Where alert notifications go (Global Administrators get TenantAdmins alerts).'),
    ],
    run: (ctx, a) =>
      accounts.newAccount(ctx, String(a.Name), { Role: a.Role, DisplayName: a.DisplayName, Password: a.Password, Email: a.Email }),
  },
  {
    name: 'Set-AdminAccount',
    summary: 'Change an admin account: role, name shown, enabled, password.',
    params: [
      identity('account'),
      s('Role', 'New role.'),
      s('DisplayName', 'Name shown.'),
      bool('Enabled', '$true or $false.'),
      s('Password', 'New password.'),
      s('Email', 'Where alert notifications go; empty removes it.'),
    ],
    run: (ctx, a) =>
      accounts.setAccount(ctx, String(a.Identity), {
        Role: a.Role,
        DisplayName: a.DisplayName,
        Enabled: a.Enabled,
        Password: a.Password,
        Email: a.Email,
      }),
  },
  {
    name: 'Remove-AdminAccount',
    summary: 'Remove an admin account and its API keys.',
    params: [identity('account')],
    run: (ctx, a) => accounts.removeAccount(ctx, String(a.Identity)),
  },
  {
    name: 'New-ApiKey',
    summary: 'Create an API key for an account; the secret is shown once.',
    params: [s('Account', 'The account the key acts as.', { required: true, positional: true }), s('Name', 'What the key is for.')],
    run: (ctx, a) => accounts.newApiKey(ctx, String(a.Account), a.Name ?? 'API key'),
  },
  {
    name: 'Get-ApiKey',
    summary: 'Show API keys (never their secrets).',
    params: [s('Account', 'Only this account.', { positional: true })],
    columns: ['Id', 'AccountId', 'Name', 'WhenCreatedUTC', 'LastUsedUTC', 'RevokedUTC'],
    run: (ctx, a) => accounts.getApiKeys(ctx, a.Account === undefined ? undefined : String(a.Account)),
  },
  {
    name: 'Remove-ApiKey',
    summary: 'Revoke an API key.',
    params: [s('Id', 'The key id (the part after og_ and before the next _).', { required: true, positional: true })],
    run: (ctx, a) => accounts.revokeApiKey(ctx, String(a.Id)),
  },
  {
    name: 'Get-ConnectionInformation',
    summary: 'Who the CLI acts as, and where: the local store, or the server after outgate connect.',
    params: [],
    run: async (ctx) => ({ UserName: ctx.actor.name, Role: ctx.actor.role, TenantId: ctx.actor.tenantId, Source: ctx.actor.source }),
  },
  {
    name: 'Get-Tenant',
    summary: 'Show tenants.',
    params: [],
    columns: ['Name', 'Id', 'ExternalRecipientLimitPerDay', 'WhenCreatedUTC'],
    run: (ctx) => tenants.getTenants(ctx),
  },
  {
    name: 'Set-Tenant',
    summary: "Set a tenant's external recipient limit per rolling 24 h; 0 = none (provider-level Global Administrator).",
    params: [identity('tenant'), int('ExternalRecipientLimitPerDay', 'External recipients per rolling 24 h for the whole tenant, 0-10000000 (0 = no tenant limit, the default).')],
    run: (ctx, a) => tenants.setTenant(ctx, String(a.Identity), { ExternalRecipientLimitPerDay: a.ExternalRecipientLimitPerDay }),
  },
  {
    name: 'New-Tenant',
    summary: 'Create a tenant (with its own default policy).',
    params: [name('tenant')],
    run: (ctx, a) => tenants.newTenant(ctx, String(a.Name)),
  },
];

/** The table as the HTTP adapter's remote-cmdlet route takes it. */
export const remoteCmdlets = {
  find(name: string): { name: string; params: readonly string[] } | undefined {
    const c = findCmdlet(name);
    return c && { name: c.name, params: c.params.map((p) => p.name) };
  },
  run(name: string, ctx: AdminContext, params: Args): Promise<unknown> {
    return findCmdlet(name)!.run(ctx, params);
  },
};

export function findCmdlet(name: string): Cmdlet | undefined {
  const key = name.toLowerCase();
  return CMDLETS.find((c) => c.name.toLowerCase() === key);
}
