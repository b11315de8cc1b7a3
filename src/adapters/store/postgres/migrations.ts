// Versioned PostgreSQL schema migrations, applied in order at open under an advisory lock (two nodes
// starting at once: one migrates, the other waits and finds nothing left to do). Append only.
// The tables are the embedded store's (store/sql/schema.ts): times in ms as BIGINT, flags as 0/1, and
// names unique case-insensitively through lower(name) indexes where SQLite says COLLATE NOCASE.

export const PG_MIGRATIONS: readonly string[] = [
  /* 1: everything durable, at the embedded store's schema version 4 */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
  -- The alert cursor starts at 0: a new PostgreSQL store has no audit records from before it.
  INSERT INTO meta (key, value) VALUES ('directory_revision', 0), ('audit_enabled', 1), ('alert_cursor', 0);

  CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);
  CREATE UNIQUE INDEX tenants_name ON tenants (lower(name));
  CREATE TABLE accepted_domains (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
    domain TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL);
  CREATE UNIQUE INDEX accepted_domains_name ON accepted_domains (tenant_id, lower(name));
  CREATE TABLE policies (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
    is_default INTEGER NOT NULL, settings TEXT NOT NULL, created_at BIGINT NOT NULL, changed_at BIGINT NOT NULL);
  CREATE UNIQUE INDEX policies_name ON policies (tenant_id, lower(name));
  CREATE TABLE rules (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
    policy_id TEXT NOT NULL UNIQUE REFERENCES policies(id), priority INTEGER NOT NULL, enabled INTEGER NOT NULL,
    conditions TEXT NOT NULL, comments TEXT NOT NULL, created_at BIGINT NOT NULL, changed_at BIGINT NOT NULL);
  CREATE UNIQUE INDEX rules_name ON rules (tenant_id, lower(name));
  CREATE TABLE connectors (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
    doc TEXT NOT NULL, created_at BIGINT NOT NULL, changed_at BIGINT NOT NULL);
  CREATE UNIQUE INDEX connectors_name ON connectors (tenant_id, lower(name));
  CREATE TABLE "groups" (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
    address TEXT NOT NULL UNIQUE, members TEXT NOT NULL, created_at BIGINT NOT NULL);
  CREATE UNIQUE INDEX groups_name ON "groups" (tenant_id, lower(name));

  CREATE TABLE restrictions (
    tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL,
    reason TEXT NOT NULL, policy TEXT NOT NULL, action TEXT NOT NULL, status TEXT NOT NULL,
    created_at BIGINT NOT NULL, changed_at BIGINT NOT NULL, expires_at BIGINT,
    PRIMARY KEY (tenant_id, entity_type, identity));
  CREATE INDEX restrictions_status ON restrictions (status, expires_at);
  CREATE TABLE restriction_history (
    id BIGSERIAL PRIMARY KEY, tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL,
    at BIGINT NOT NULL, event TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL);
  CREATE INDEX restriction_history_entity ON restriction_history (tenant_id, entity_type, identity, at);

  -- Sending history for reports (and the node-local counters' restart): minute buckets of the day
  -- window, rolled up into hours by the pruner.
  CREATE TABLE sending_minutes (
    minute BIGINT NOT NULL, tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL,
    external BIGINT NOT NULL, internal BIGINT NOT NULL, messages BIGINT NOT NULL,
    PRIMARY KEY (minute, tenant_id, entity_type, identity));
  CREATE INDEX sending_minutes_sender ON sending_minutes (tenant_id, entity_type, identity, minute);
  CREATE TABLE sending_hours (
    tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL, hour BIGINT NOT NULL,
    external BIGINT NOT NULL, internal BIGINT NOT NULL, messages BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, entity_type, identity, hour));
  CREATE TABLE window_resets (
    tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL, at BIGINT NOT NULL,
    minute BIGINT NOT NULL, external BIGINT NOT NULL, internal BIGINT NOT NULL, messages BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, entity_type, identity));

  -- The audit log, hash-chained (app/audit.ts); audit_head is also the lock that orders appends.
  CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, tenant_id TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
    source TEXT NOT NULL, source_ip TEXT, operation TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT,
    result TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
  CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
  INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

  -- The change feed: durable rows read from each node's last seen seq; NOTIFY only says "look".
  CREATE TABLE change_log (
    seq BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, tenant_id TEXT NOT NULL, entity_type TEXT,
    identity TEXT, at BIGINT NOT NULL);

  CREATE TABLE admin_accounts (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, role TEXT NOT NULL, tenant_id TEXT,
    enabled INTEGER NOT NULL, password_hash TEXT, created_at BIGINT NOT NULL, changed_at BIGINT NOT NULL, email TEXT);
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE, name TEXT NOT NULL,
    secret_hash TEXT NOT NULL, created_at BIGINT NOT NULL, last_used_at BIGINT, revoked_at BIGINT);
  CREATE INDEX api_keys_account ON api_keys (account_id);
  CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES admin_accounts(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL, ip TEXT);
  CREATE INDEX web_sessions_account ON web_sessions (account_id);
  CREATE TABLE sign_in_failures (id BIGSERIAL PRIMARY KEY, key TEXT NOT NULL, at BIGINT NOT NULL);
  CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);

  CREATE TABLE alert_policies (
    tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, event TEXT NOT NULL,
    severity TEXT NOT NULL, description TEXT NOT NULL, is_system INTEGER NOT NULL, disabled INTEGER NOT NULL,
    notification_enabled INTEGER NOT NULL, notify_user TEXT NOT NULL, daily_limit INTEGER,
    aggregation_minutes INTEGER NOT NULL, changed_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, id));
  CREATE UNIQUE INDEX alert_policies_name ON alert_policies (tenant_id, lower(name));
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, policy_id TEXT NOT NULL, policy_name TEXT NOT NULL,
    severity TEXT NOT NULL, status TEXT NOT NULL, entity_type TEXT NOT NULL, entity TEXT NOT NULL,
    reason TEXT NOT NULL, first_event_at BIGINT NOT NULL, last_event_at BIGINT NOT NULL,
    event_count INTEGER NOT NULL, changed_at BIGINT NOT NULL);
  CREATE INDEX alerts_entity ON alerts (tenant_id, policy_id, entity_type, entity, first_event_at);
  CREATE INDEX alerts_recent ON alerts (tenant_id, last_event_at);
  CREATE TABLE alert_events (
    id BIGSERIAL PRIMARY KEY, alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    at BIGINT NOT NULL, operation TEXT NOT NULL, reason TEXT NOT NULL, audit_seq BIGINT NOT NULL);
  CREATE INDEX alert_events_alert ON alert_events (alert_id, at);
  CREATE TABLE alert_notifications (
    id TEXT PRIMARY KEY, alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE, channel TEXT NOT NULL,
    recipient TEXT NOT NULL, webhook_id TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    next_attempt_at BIGINT, last_attempt_at BIGINT, sent_at BIGINT, last_error TEXT, created_at BIGINT NOT NULL);
  CREATE INDEX alert_notifications_due ON alert_notifications (status, next_attempt_at);
  CREATE INDEX alert_notifications_alert ON alert_notifications (alert_id);
  CREATE TABLE alert_webhooks (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL,
    secret TEXT NOT NULL, enabled INTEGER NOT NULL, created_at BIGINT NOT NULL);
  CREATE UNIQUE INDEX alert_webhooks_name ON alert_webhooks (tenant_id, lower(name));
  CREATE TABLE alert_notification_days (
    tenant_id TEXT NOT NULL, policy_id TEXT NOT NULL, day BIGINT NOT NULL, count BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, policy_id, day));
  `,
  /* 2: Send As grants (Add-RecipientPermission), for policy selection (docs/spec.md §3) */ `
  CREATE TABLE recipient_permissions (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), identity TEXT NOT NULL, trustee TEXT NOT NULL,
    access_rights TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (tenant_id, identity, trustee));
  `,
  /* 3: the tenant external recipient limit (Set-Tenant -ExternalRecipientLimitPerDay; 0 = none; docs/tenancy.md) */ `
  ALTER TABLE tenants ADD COLUMN external_recipients_per_day BIGINT NOT NULL DEFAULT 0;
  `,
  /* 4: the cooldown of repeated events (early warnings, limits reached), shared by every node */ `
  CREATE TABLE event_cooldowns (
    tenant_id TEXT NOT NULL, entity_type TEXT NOT NULL, identity TEXT NOT NULL, event TEXT NOT NULL,
    at BIGINT NOT NULL, PRIMARY KEY (tenant_id, entity_type, identity, event));
  `,
];
