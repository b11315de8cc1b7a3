// Versioned schema migrations, applied in order at open; PRAGMA user_version records the last one.
// Append only: a shipped migration is never edited.

export const MIGRATIONS: readonly string[] = [
  /* 1: directory, policies, restrictions, sending windows, events, change feed */ `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, created_at INTEGER NOT NULL);
  CREATE TABLE accepted_domains (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL COLLATE NOCASE, domain TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name));
  CREATE TABLE policies (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL COLLATE NOCASE,
    is_default INTEGER NOT NULL, settings TEXT NOT NULL, created_at INTEGER NOT NULL, changed_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name));
  CREATE TABLE rules (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL COLLATE NOCASE,
    policy_id TEXT NOT NULL REFERENCES policies(id), priority INTEGER NOT NULL, enabled INTEGER NOT NULL,
    conditions TEXT NOT NULL, comments TEXT NOT NULL, created_at INTEGER NOT NULL, changed_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name));
  CREATE UNIQUE INDEX rules_policy ON rules (policy_id);
  CREATE TABLE connectors (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL COLLATE NOCASE,
    doc TEXT NOT NULL, created_at INTEGER NOT NULL, changed_at INTEGER NOT NULL, UNIQUE (tenant_id, name));
  CREATE TABLE groups (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL UNIQUE, members TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (tenant_id, name));
  CREATE TABLE restrictions (
    tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL,
    reason TEXT NOT NULL, policy TEXT NOT NULL, action TEXT NOT NULL, status TEXT NOT NULL,
    created_at INTEGER NOT NULL, changed_at INTEGER NOT NULL, expires_at INTEGER,
    PRIMARY KEY (tenant_id, entity_type, identity)) WITHOUT ROWID;
  CREATE INDEX restrictions_status ON restrictions (status, expires_at);
  CREATE TABLE restriction_history (
    id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL,
    at INTEGER NOT NULL, event TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL);
  CREATE INDEX restriction_history_entity ON restriction_history (tenant_id, entity_type, identity, at);
  -- Keyed by minute first: every insert lands at the right edge of the tree (few pages per commit)
  -- and the day window is pruned as one range from the left.
  CREATE TABLE sending_minutes (
    minute INTEGER NOT NULL, tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL,
    external INTEGER NOT NULL, internal INTEGER NOT NULL, messages INTEGER NOT NULL,
    PRIMARY KEY (minute, tenant_id, entity_type, identity)) WITHOUT ROWID;
  -- One sender's recent activity (reports); written in bulk off the request path, so affordable.
  CREATE INDEX sending_minutes_sender ON sending_minutes (tenant_id, entity_type, identity, minute);
  -- Minute buckets past the day window are rolled up here, kept for reports.
  CREATE TABLE sending_hours (
    tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL, hour INTEGER NOT NULL,
    external INTEGER NOT NULL, internal INTEGER NOT NULL, messages INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, entity_type, identity, hour)) WITHOUT ROWID;
  -- An unblock restarts a sender's windows without deleting what it sent: buckets before \`minute\` no
  -- longer count, and of the bucket at \`minute\` only what came after the reset.
  CREATE TABLE window_resets (
    tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL, at INTEGER NOT NULL,
    minute INTEGER NOT NULL, external INTEGER NOT NULL, internal INTEGER NOT NULL, messages INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, entity_type, identity)) WITHOUT ROWID;
  -- The audit log: append-only, each record chained to the one before by its hash (app/audit.ts);
  -- audit_head remembers the last one, so a cut tail shows too.
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, tenant_id TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
    source TEXT NOT NULL, source_ip TEXT, operation TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT,
    result TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
  CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
  INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO meta (key, value) VALUES ('directory_revision', 0), ('audit_enabled', 1);
  CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, tenant_id TEXT NOT NULL, entity_type TEXT,
    identity TEXT, at INTEGER NOT NULL);
  `,
  /* 2: admin accounts and API keys */ `
  CREATE TABLE admin_accounts (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, role TEXT NOT NULL, tenant_id TEXT,
    enabled INTEGER NOT NULL, password_hash TEXT, created_at INTEGER NOT NULL, changed_at INTEGER NOT NULL);
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE, name TEXT NOT NULL,
    secret_hash TEXT NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);
  CREATE INDEX api_keys_account ON api_keys (account_id);
  `,
  /* 3: portal sessions and failed sign-ins (throttling holds across restarts and processes) */ `
  CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, ip TEXT) WITHOUT ROWID;
  CREATE INDEX web_sessions_account ON web_sessions (account_id);
  CREATE TABLE sign_in_failures (id INTEGER PRIMARY KEY, key TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
  `,
  /* 4: alert policies, alerts with their events, the notification outbox, webhooks, daily counters */ `
  -- Where notifications to TenantAdmins go.
  ALTER TABLE admin_accounts ADD COLUMN email TEXT;
  -- Built-in policies are stored only once changed (their id is the event kind); custom ones always.
  CREATE TABLE alert_policies (
    tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, event TEXT NOT NULL,
    severity TEXT NOT NULL, description TEXT NOT NULL, is_system INTEGER NOT NULL, disabled INTEGER NOT NULL,
    notification_enabled INTEGER NOT NULL, notify_user TEXT NOT NULL, daily_limit INTEGER,
    aggregation_minutes INTEGER NOT NULL, changed_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, name)) WITHOUT ROWID;
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, policy_id TEXT NOT NULL, policy_name TEXT NOT NULL,
    severity TEXT NOT NULL, status TEXT NOT NULL, entity_type TEXT NOT NULL, entity TEXT NOT NULL,
    reason TEXT NOT NULL, first_event_at INTEGER NOT NULL, last_event_at INTEGER NOT NULL,
    event_count INTEGER NOT NULL, changed_at INTEGER NOT NULL);
  CREATE INDEX alerts_entity ON alerts (tenant_id, policy_id, entity_type, entity, first_event_at);
  CREATE INDEX alerts_recent ON alerts (tenant_id, last_event_at);
  CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY, alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    at INTEGER NOT NULL, operation TEXT NOT NULL, reason TEXT NOT NULL, audit_seq INTEGER NOT NULL);
  CREATE INDEX alert_events_alert ON alert_events (alert_id, at);
  -- The outbox: a notification is written with its alert and delivered (and retried) from here.
  CREATE TABLE alert_notifications (
    id TEXT PRIMARY KEY, alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE, channel TEXT NOT NULL,
    recipient TEXT NOT NULL, webhook_id TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    next_attempt_at INTEGER, last_attempt_at INTEGER, sent_at INTEGER, last_error TEXT, created_at INTEGER NOT NULL);
  CREATE INDEX alert_notifications_due ON alert_notifications (status, next_attempt_at);
  CREATE INDEX alert_notifications_alert ON alert_notifications (alert_id);
  CREATE TABLE alert_webhooks (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, url TEXT NOT NULL,
    secret TEXT NOT NULL, enabled INTEGER NOT NULL, created_at INTEGER NOT NULL, UNIQUE (tenant_id, name));
  -- Notifications per policy per UTC day, so the daily limit holds across restarts and processes.
  CREATE TABLE alert_notification_days (
    tenant_id TEXT NOT NULL, policy_id TEXT NOT NULL, day INTEGER NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, policy_id, day)) WITHOUT ROWID;
  -- The last audit record the alert engine has read: records already in the log when this store is
  -- upgraded never raise alerts.
  INSERT INTO meta (key, value) SELECT 'alert_cursor', seq FROM audit_head WHERE id = 1;
  `,
  /* 5: Send As grants (Add-RecipientPermission), for policy selection (docs/spec.md §3) */ `
  CREATE TABLE recipient_permissions (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), identity TEXT NOT NULL, trustee TEXT NOT NULL,
    access_rights TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (tenant_id, identity, trustee));
  `,
  /* 6: the tenant external recipient limit (Set-Tenant -ExternalRecipientLimitPerDay; 0 = none; docs/tenancy.md) */ `
  ALTER TABLE tenants ADD COLUMN external_recipients_per_day INTEGER NOT NULL DEFAULT 0;
  `,
];
