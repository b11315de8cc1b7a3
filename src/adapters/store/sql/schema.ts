// Row types of the SQL stores (embedded SQLite and PostgreSQL share them: times are ms, flags 0/1), for Kysely.

export interface TenantsTable { id: string; name: string; created_at: number; external_recipients_per_day: number }
export interface AcceptedDomainsTable { id: string; tenant_id: string; name: string; domain: string; created_at: number }
export interface PoliciesTable {
  id: string; tenant_id: string; name: string; is_default: number; settings: string; created_at: number; changed_at: number;
}
export interface RulesTable {
  id: string; tenant_id: string; name: string; policy_id: string; priority: number; enabled: number;
  conditions: string; comments: string; created_at: number; changed_at: number;
}
export interface ConnectorsTable { id: string; tenant_id: string; name: string; doc: string; created_at: number; changed_at: number }
export interface GroupsTable { id: string; tenant_id: string; name: string; address: string; members: string; created_at: number }
export interface RecipientPermissionsTable { id: string; tenant_id: string; identity: string; trustee: string; access_rights: string; created_at: number }
export interface RestrictionsTable {
  tenant_id: string; entity_type: string; identity: string; reason: string; policy: string; action: string;
  status: string; created_at: number; changed_at: number; expires_at: number | null;
}
export interface RestrictionHistoryTable {
  id: number | null; tenant_id: string; entity_type: string; identity: string; at: number; event: string; actor: string; reason: string;
}
export interface SendingTable {
  tenant_id: string; entity_type: string; identity: string; external: number; internal: number; messages: number;
}
export interface AuditLogTable {
  seq: number; at: number; tenant_id: string; actor: string; role: string; source: string; source_ip: string | null;
  operation: string; target: string; before: string | null; after: string | null; result: string; prev_hash: string; hash: string;
}
export interface AuditHeadTable { id: number; seq: number; hash: string }
export interface ChangeLogTable {
  seq: number | null; kind: string; tenant_id: string; entity_type: string | null; identity: string | null; at: number;
}

export interface MetaTable { key: string; value: number }
/** PostgreSQL only: when each sender's repeated event was last recorded, across nodes. */
export interface EventCooldownsTable { tenant_id: string; entity_type: string; identity: string; event: string; at: number }

export interface AdminAccountsTable {
  id: string; name: string; display_name: string; role: string; tenant_id: string | null; enabled: number;
  password_hash: string | null; created_at: number; changed_at: number; email: string | null;
}
export interface ApiKeysTable {
  id: string; account_id: string; name: string; secret_hash: string; created_at: number; last_used_at: number | null; revoked_at: number | null;
}

export interface WebSessionsTable {
  id_hash: string; account_id: string; csrf_token: string; created_at: number; last_seen_at: number; ip: string | null;
}
export interface SignInFailuresTable { id: number | null; key: string; at: number }

export interface AlertPoliciesTable {
  tenant_id: string; id: string; name: string; event: string; severity: string; description: string; is_system: number;
  disabled: number; notification_enabled: number; notify_user: string; daily_limit: number | null; aggregation_minutes: number; changed_at: number;
}
export interface AlertsTable {
  id: string; tenant_id: string; policy_id: string; policy_name: string; severity: string; status: string; entity_type: string;
  entity: string; reason: string; first_event_at: number; last_event_at: number; event_count: number; changed_at: number;
}
export interface AlertEventsTable { id: number | null; alert_id: string; at: number; operation: string; reason: string; audit_seq: number }
export interface AlertNotificationsTable {
  id: string; alert_id: string; channel: string; recipient: string; webhook_id: string | null; status: string; attempts: number;
  next_attempt_at: number | null; last_attempt_at: number | null; sent_at: number | null; last_error: string | null; created_at: number;
}
export interface AlertWebhooksTable { id: string; tenant_id: string; name: string; url: string; secret: string; enabled: number; created_at: number }
export interface AlertNotificationDaysTable { tenant_id: string; policy_id: string; day: number; count: number }

export interface DB {
  alert_policies: AlertPoliciesTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  alert_notifications: AlertNotificationsTable;
  alert_webhooks: AlertWebhooksTable;
  alert_notification_days: AlertNotificationDaysTable;
  web_sessions: WebSessionsTable;
  sign_in_failures: SignInFailuresTable;
  admin_accounts: AdminAccountsTable;
  api_keys: ApiKeysTable;
  meta: MetaTable;
  event_cooldowns: EventCooldownsTable;
  tenants: TenantsTable;
  accepted_domains: AcceptedDomainsTable;
  policies: PoliciesTable;
  rules: RulesTable;
  connectors: ConnectorsTable;
  groups: GroupsTable;
  recipient_permissions: RecipientPermissionsTable;
  restrictions: RestrictionsTable;
  restriction_history: RestrictionHistoryTable;
  sending_minutes: SendingTable & { minute: number };
  sending_hours: SendingTable & { hour: number };
  window_resets: SendingTable & { at: number; minute: number };
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  change_log: ChangeLogTable;
}
