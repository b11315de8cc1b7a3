// The configuration schema: one typed source of truth for the config file and OUTGATE_* variables.
import { Type, type Static } from 'typebox';
import { DEFAULT_SERVICE_LIMITS } from '../domain/service-limits.js';

const Listen = (def: string, description: string) =>
  Type.String({ default: def, description, pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):\\d{1,5}$' });

const Limit = (def: number, description: string) => Type.Integer({ minimum: 1, maximum: 100_000_000, default: def, description });

const S = DEFAULT_SERVICE_LIMITS;

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ default: './data', minLength: 1, description: 'Embedded store directory (SQLite).' }),
    unblockLimit: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'Unblocks of one entity in 30 days before only a Global Administrator may.' }),
    policy: Type.Object(
      {
        listen: Listen('127.0.0.1:10040', 'Postfix policy delegation server (check_policy_service).'),
        failMode: Type.Union([Type.Literal('closed'), Type.Literal('open')], {
          default: 'closed',
          description: 'On a store failure, for every driver: closed = try again later (Postfix: no reply, so it defers; send check: Defer, 451 4.3.0), open = let it through (DUNNO, Accept).',
        }),
        maxRequestBytes: Type.Integer({ minimum: 1024, maximum: 1_048_576, default: 65_536, description: 'Largest policy request.' }),
        idleTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 600, description: 'Close idle policy connections.' }),
        requestTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 10, description: 'A request must be complete this long after its first byte (or the connect); slower ones are dropped unanswered.' }),
        maxConnections: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Open policy connections at most; 0 = derived from the soft open-file limit (see docs/postfix.md).' }),
        recipientDelimiter: Type.String({
          default: '',
          maxLength: 8,
          pattern: '^[^@\\s]*$',
          description:
            "Fold SASL logins' sub-addresses into their mailbox for counting and restriction, as Postfix's recipient_delimiter (e.g. '+': alice+x@ counts as alice@); empty (default): off, each login counted apart.",
        }),
        maxConnectionsPerClient: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Open policy connections from one client address at most; 0 = half of maxConnections.' }),
      },
      { default: {} },
    ),
    milter: Type.Object(
      {
        listen: Type.String({
          default: '127.0.0.1:10041',
          description: 'Milter server (Postfix smtpd_milters, Sendmail); empty: off.',
          pattern: '^((\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):\\d{1,5})?$',
        }),
      },
      { default: {} },
    ),
    rspamd: Type.Object(
      {
        url: Type.String({ default: '', maxLength: 2048, pattern: '^(https?://[^\\s]+)?$', description: 'Rspamd (its normal worker, e.g. http://127.0.0.1:11333): the milter asks /checkv2 about each outbound message; empty: no spam scan.' }),
        timeoutSeconds: Type.Number({ minimum: 0.1, maximum: 60, default: 5, description: 'A scan that takes longer goes unscanned (the message is judged on its limits only).' }),
        maxMessageBytes: Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024, default: 2 * 1024 * 1024, description: 'Larger messages are not scanned.' }),
        spamFloorMessages: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10, description: 'Scanned messages in 24 h before a sender can be restricted for its spam share.' }),
        spamPercent: Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Spam share (of scanned messages in 24 h) that restricts a sender.' }),
        highRiskHeader: Type.String({ default: 'X-Outgate-Outbound-Spam', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', description: "Header added to spam ('Yes; score=…'); a milter_header_checks FILTER can route it to a high-risk relay." }),
      },
      { default: {} },
    ),
    http: Type.Object(
      {
        listen: Listen('127.0.0.1:8440', 'HTTP API and portal.'),
        trustProxy: Type.String({
          default: '',
          maxLength: 1024,
          pattern: '^[0-9a-fA-F:.,/ ]*$',
          description: 'Addresses or CIDRs (comma-separated) of TLS-terminating proxies whose X-Forwarded-Proto/-For are believed (session cookie gets Secure, throttling sees the client); empty: none.',
        }),
        publicUrl: Type.String({ default: '', maxLength: 2048, pattern: '^(https?://[^\\s]+)?$', description: 'The portal as admins reach it, for links in alert notifications; empty: http://<http.listen>.' }),
        requestTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'A request (headers and body) must be in this long after its first byte; slower ones get 408 and are closed.' }),
        maxConnections: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Open HTTP connections at most; 0 = derived from the soft open-file limit, apart from the policy connections (see README).' }),
        maxConnectionsPerClient: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Open HTTP connections from one client address at most; 0 = half of maxConnections. Behind a proxy every client is the proxy.' }),
        session: Type.Object(
          {
            idleMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 30, description: 'A portal session unused this long ends.' }),
            absoluteHours: Type.Integer({ minimum: 1, maximum: 168, default: 12, description: 'A portal session ends this long after sign-in.' }),
            failuresPerAccount: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'Failed sign-ins per account name per throttle window.' }),
            failuresPerAddress: Type.Integer({ minimum: 1, maximum: 10_000, default: 20, description: 'Failed sign-ins per source address per throttle window.' }),
            throttleMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 15, description: 'The rolling throttle window.' }),
          },
          { default: {} },
        ),
      },
      { default: {} },
    ),
    alerts: Type.Object(
      {
        from: Type.String({ default: 'Outgate <outgate@localhost>', minLength: 3, maxLength: 320, description: 'From of alert email.' }),
        earlyWarningPercent: Type.Integer({ minimum: 0, maximum: 99, default: 80, description: 'Share of a limit at which a sender raises "Suspicious email sending patterns detected" (a tenant: "Suspicious tenant sending patterns observed"); 0 = never.' }),
        unusualVolumeFactor: Type.Integer({ minimum: 0, maximum: 1000, default: 10, description: 'Warn when a sender sends this many times its busiest hour of the last 7 days; 0 = never.' }),
        unusualVolumeMinRecipients: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100, description: '…and at least this many recipients in the last hour.' }),
        webhookAllow: Type.Array(Type.String({ minLength: 1, maxLength: 255, pattern: '^([0-9a-fA-F:.\\[\\]]+(/\\d{1,3})?|[A-Za-z0-9.-]+)$' }), {
          default: [],
          maxItems: 100,
          description: 'Internal webhook targets to allow (CIDRs like 10.1.2.0/24 or ::1/128, or host names); by default only public addresses are.',
        }),
        retryBaseSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 15, description: 'First retry of an undelivered notification; doubles per attempt, at most an hour.' }),
        smtp: Type.Object(
          {
            host: Type.String({ default: '', maxLength: 255, description: 'SMTP server for alert email; empty: email notifications wait in the outbox.' }),
            port: Type.Integer({ minimum: 1, maximum: 65535, default: 25 }),
            secure: Type.Boolean({ default: false, description: 'TLS from the start (port 465).' }),
            requireTLS: Type.Boolean({ default: false, description: 'Refuse to send unless STARTTLS succeeds.' }),
            ignoreTLS: Type.Boolean({ default: false, description: 'Never use STARTTLS.' }),
            rejectUnauthorized: Type.Boolean({ default: true, description: "Check the server's certificate." }),
            user: Type.String({ default: '', maxLength: 320 }),
            pass: Type.String({ default: '', maxLength: 1024 }),
            maxConnections: Type.Integer({ minimum: 1, maximum: 50, default: 2 }),
          },
          { default: {} },
        ),
      },
      { default: {} },
    ),
    smtp: Type.Object({ listen: Listen('127.0.0.1:10587', 'SMTP submission relay.') }, { default: {} }),
    admin: Type.Object(
      {
        email: Type.String({
          default: '',
          maxLength: 320,
          pattern: '^([^@\\s]+@[^@\\s]+\\.[^@\\s]+)?$',
          description: "The first Global Administrator's email address, set when a new installation creates it: where TenantAdmins alerts go. Empty: none (set one later in Settings or with Set-AdminAccount -Email).",
        }),
      },
      { default: {} },
    ),
    portal: Type.Object(
      {
        mfaUrl: Type.String({
          default: 'https://aka.ms/MFASetup',
          minLength: 1,
          maxLength: 2048,
          pattern: '^https?://',
          description: "The Unblock user wizard's Enable MFA link: your directory's MFA page; {user} becomes the user's address.",
        }),
        passwordResetUrl: Type.String({
          default: 'https://passwordreset.microsoftonline.com/?username={user}',
          minLength: 1,
          maxLength: 2048,
          pattern: '^https?://',
          description: "The Unblock user wizard's Reset the user's password link; {user} becomes the user's address.",
        }),
      },
      { default: {} },
    ),
    serviceLimits: Type.Object(
      {
        recipientsPerDay: Limit(S.recipientsPerDay, 'Recipients per rolling 24 h per mailbox (5.1.90 above).'),
        messagesPerMinute: Limit(S.messagesPerMinute, 'Messages per rolling minute per mailbox (4xx above).'),
        recipientsPerMessage: Limit(S.recipientsPerMessage, 'Recipients per message (5.5.3 above).'),
        concurrentConnections: Limit(S.concurrentConnections, 'SMTP AUTH sessions of one login at once, per node, seen by the milter (432 4.3.2 above).'),
        defaultExternalPerHour: Limit(S.defaultExternalPerHour, 'RecipientLimitExternalPerHour = 0 means this.'),
        defaultInternalPerHour: Limit(S.defaultInternalPerHour, 'RecipientLimitInternalPerHour = 0 means this.'),
        defaultPerDay: Limit(S.defaultPerDay, 'RecipientLimitPerDay = 0 means this.'),
        connectorExternalPerHour: Limit(S.connectorExternalPerHour, 'A connector limit of 0 means this.'),
        connectorInternalPerHour: Limit(S.connectorInternalPerHour, 'A connector limit of 0 means this.'),
        connectorPerDay: Limit(S.connectorPerDay, 'A connector limit of 0 means this.'),
      },
      { default: {} },
    ),
    store: Type.Object(
      {
        backend: Type.String({ default: 'embedded', minLength: 1, maxLength: 64, description: "Where state lives: 'embedded' (SQLite in dataDir), or 'postgres' (implied by databaseUrl)." }),
        databaseUrl: Type.String({ default: '', maxLength: 2048, description: 'postgres://… : every durable thing in PostgreSQL, shared by all nodes and cmdlets (schema migrated at start). Empty: the embedded store.' }),
        redisUrl: Type.String({ default: '', maxLength: 2048, description: 'redis://… (one server) or redis+cluster://host:port,host:port (a Redis Cluster, by some of its nodes): the sending counters of a shared store, so several nodes hold limits as one (needs databaseUrl). Empty: counters in the one node.' }),
        synchronous: Type.Union([Type.Literal('normal'), Type.Literal('full')], {
          default: 'normal',
          description: 'normal survives a process crash (kill -9); full also survives power loss, slower.',
        }),
        busyTimeoutMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 5_000, description: 'Wait this long for a write lock held by another process.' }),
      },
      { default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
          default: 'info',
        }),
      },
      { default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** OUTGATE_* variables and the config path each one sets. */
export const ENV_KEYS: Record<string, string> = {
  OUTGATE_DATA_DIR: 'dataDir',
  OUTGATE_POLICY_LISTEN: 'policy.listen',
  OUTGATE_POLICY_FAIL_MODE: 'policy.failMode',
  OUTGATE_MILTER_LISTEN: 'milter.listen',
  OUTGATE_RSPAMD_URL: 'rspamd.url',
  OUTGATE_POLICY_RECIPIENT_DELIMITER: 'policy.recipientDelimiter',
  OUTGATE_HTTP_LISTEN: 'http.listen',
  OUTGATE_HTTP_PUBLIC_URL: 'http.publicUrl',
  OUTGATE_HTTP_TRUST_PROXY: 'http.trustProxy',
  OUTGATE_ALERTS_FROM: 'alerts.from',
  OUTGATE_ALERTS_SMTP_HOST: 'alerts.smtp.host',
  OUTGATE_ALERTS_SMTP_PORT: 'alerts.smtp.port',
  OUTGATE_ALERTS_SMTP_USER: 'alerts.smtp.user',
  OUTGATE_ALERTS_SMTP_PASS: 'alerts.smtp.pass',
  OUTGATE_SMTP_LISTEN: 'smtp.listen',
  OUTGATE_ADMIN_EMAIL: 'admin.email',
  OUTGATE_PORTAL_MFA_URL: 'portal.mfaUrl',
  OUTGATE_PORTAL_PASSWORD_RESET_URL: 'portal.passwordResetUrl',
  OUTGATE_STORE_BACKEND: 'store.backend',
  OUTGATE_DATABASE_URL: 'store.databaseUrl',
  OUTGATE_REDIS_URL: 'store.redisUrl',
  OUTGATE_STORE_SYNCHRONOUS: 'store.synchronous',
  OUTGATE_LOG_LEVEL: 'log.level',
};
