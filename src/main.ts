// The composition root: the only place that wires the store, the use cases and the adapters together.
import { pino, type Logger } from 'pino';
import { CheckSend } from './app/check-send.js';
import type { Clock, Store } from './app/ports.js';
import { clockFromEnv, TEST_NOW_ENV } from './adapters/clock/clock.js';
import { bootstrap } from './app/tenants.js';
import { anchorExporter, formatAnchor } from './app/audit-anchor.js';
import { authenticateApiKey, ensureFirstAdmin, FIRST_ADMIN } from './app/accounts.js';
import { authenticateSession, pruneSessions, type SessionOptions } from './app/sessions.js';
import { parseListen } from './config/load.js';
import type { Config } from './config/schema.js';
import { changedSettings, isLive } from './config/reload.js';
import { createPolicyServer, listen } from './adapters/postfix-policy/server.js';
import { createMilterServer } from './adapters/milter/server.js';
import { rspamdScanner } from './adapters/rspamd/client.js';
import { SpamWatch } from './app/outbound-spam.js';
import { openStore } from './adapters/store/open-store.js';
import { PrometheusMetrics } from './adapters/metrics/prometheus.js';
import type { AddressInfo } from 'node:net';
import { VERSION } from './version.js';
import { httpConnectionCaps, softOpenFileLimit } from './connection-caps.js';
import { BackgroundFailures } from './background-failures.js';
import { LogThrottle } from './log-throttle.js';
import { Errors, OutgateError } from './errors.js';
import { startAlertWorker, type AlertWorker } from './app/alert-worker.js';
import { UnusualVolumeWatch } from './app/unusual-volume.js';
import { SmtpNotifier } from './adapters/notify/smtp-notifier.js';
import { postWebhook } from './adapters/notify/webhook-poster.js';
import { targetAllowed, webhookPolicy } from './adapters/notify/webhook-target.js';

export interface Running {
  readonly store: Store;
  readonly checkSend: CheckSend;
  readonly policyPort: number;
  /** The milter's port; 0 when milter.listen is empty (off). */
  readonly milterPort: number;
  readonly httpPort: number;
  readonly metrics: PrometheusMetrics;
  readonly log: Logger;
  /** Raises alerts from the audit log and delivers their notifications. */
  readonly alerts: AlertWorker;
  /** Warns about senders far above their usual volume (runs every minute; tests call it). */
  sweepUnusualVolume(): Promise<number>;
  /** Applies every acknowledged send to the store now, instead of within APPLY_MS (reports read the store). */
  flushSends(): Promise<void>;
  /** SIGHUP: takes the settings a running server can (config/reload.ts) and logs the ones that need a restart. */
  reload(next: Readonly<Config>): void;
  /** Drains: stops accepting, answers what is in flight and finishes open milter messages (at most DRAIN_MS), flushes the journal, closes. */
  stop(): Promise<void>;
}

const SWEEP_MS = 1_000;
const COMPACT_MS = 60_000;
/** How often the audit chain's head is exported when it moved. */
const ANCHOR_MS = 5 * 60_000;
/** Alerts reach admins within about a second of the audit record that raises them. */
const ALERTS_MS = 500;
/** In-flight policy requests get this long to be answered on stop (systemd waits 30 s: TimeoutStopSec). */
const DRAIN_MS = 10_000;

export async function startServer(config: Readonly<Config>, opts: { clock?: Clock; log?: Logger } = {}): Promise<Running> {
  const log = opts.log ?? pino({ level: config.log.level, base: { service: 'outgate' } });
  const clock = opts.clock ?? clockFromEnv();
  // Before anything is opened: a bad allow-list entry is a configuration error.
  const webhooks = webhookPolicy(config.alerts.webhookAllow);
  if (!opts.clock && process.env[TEST_NOW_ENV])
    log.warn({ start: process.env[TEST_NOW_ENV] }, `the clock starts at ${TEST_NOW_ENV}, not the system time: for tests only`);
  const backend = await openStore(config, 'server', (fields, message) => log.warn(fields, message));
  const store = backend.store;
  // Until the counters are open, a failure (a store that refuses this node) closes the store again, so
  // the process exits with its error instead of waiting on idle database connections.
  let first: Awaited<ReturnType<typeof ensureFirstAdmin>>;
  let counters: Awaited<ReturnType<typeof backend.openCounters>>;
  try {
    await bootstrap(store, clock);
    first = await ensureFirstAdmin(store, clock.now(), process.env.OUTGATE_ADMIN_PASSWORD, config.admin.email);
    counters = await backend.openCounters(clock.now());
  } catch (err) {
    await backend.close().catch(() => undefined);
    throw err;
  }
  if (first.created && first.generated) {
    // Shown once, here: the store keeps only its argon2id hash.
    log.warn(
      { account: FIRST_ADMIN },
      `created the first Global Administrator '${FIRST_ADMIN}' with the one-time password ${first.password} (change it; set OUTGATE_ADMIN_PASSWORD to choose it)`,
    );
  } else if (first.created) {
    log.info(
      { account: FIRST_ADMIN },
      `created the first Global Administrator '${FIRST_ADMIN}' with the password from OUTGATE_ADMIN_PASSWORD`,
    );
  }
  if (first.created && first.email === null) {
    // TenantAdmins (every built-in alert policy's recipients) resolve to the Global Administrators' addresses.
    log.warn(
      { account: FIRST_ADMIN },
      `'${FIRST_ADMIN}' has no email address, so alert email to TenantAdmins goes nowhere: set OUTGATE_ADMIN_EMAIL (admin.email) at first start, or add one in the portal (Settings, Admin accounts) or with Set-AdminAccount ${FIRST_ADMIN} -Email`,
    );
  }
  // Mutable copies: a reload (SIGHUP) updates them in place for everything that reads them per request.
  const serviceLimits = { ...config.serviceLimits };
  const policyOptions = { ...config.policy };
  let loaded = config;
  const metrics = new PrometheusMetrics();
  // A background task that fails (a full disk, a corrupt file) is counted and logged, rate-limited; the
  // decisions that need the store fail closed on their own, and /api/v1/ready answers 503 meanwhile.
  const background = new BackgroundFailures(log, metrics);
  const earlyWarning = config.alerts.earlyWarningPercent === 0 ? undefined : config.alerts.earlyWarningPercent / 100;
  // Every driver's decisions go through checkSend: it applies policy.failMode (and warns at start when
  // it is open), counts decisions in the metrics and logs them.
  const checkSend = await CheckSend.start(store, counters, clock, serviceLimits, {
    metrics,
    earlyWarningShare: earlyWarning,
    failMode: config.policy.failMode,
    recipientDelimiter: config.policy.recipientDelimiter,
    log,
    ...(config.rspamd.url === ''
      ? {}
      : { spam: new SpamWatch(rspamdScanner(config.rspamd.url, config.rspamd.timeoutSeconds), { floorMessages: config.rspamd.spamFloorMessages, percent: config.rspamd.spamPercent }, log) }),
  });
  backend.startBackground(
    () => clock.now(),
    (what, err, task = 'store') => background.report(task, err, what, task === 'wal-checkpoint' ? 'warn' : 'error'),
  );

  const policy = createPolicyServer(checkSend, policyOptions, log, metrics);
  const { host, port } = parseListen(config.policy.listen);
  const address = await listen(policy.server, host, port).catch(async (err: unknown) => {
    await backend.close();
    throw listenFailed('policy.listen', config.policy.listen, err);
  });
  log.info(
    {
      listen: `${address.address}:${address.port}`,
      dataDir: config.dataDir,
      failMode: config.policy.failMode,
      maxConnections: policy.caps.total,
      maxConnectionsPerClient: policy.caps.perClient,
    },
    'policy server listening',
  );

  // The milter: a second driver of the same checks (docs/postfix.md says when to use which).
  // With Rspamd the milter also takes the body (to scan it) and marks spam for the high-risk route.
  const content = config.rspamd.url === '' ? undefined : { maxMessageBytes: config.rspamd.maxMessageBytes, highRiskHeader: config.rspamd.highRiskHeader };
  const milterRefusals = new LogThrottle(10_000);
  const milter =
    config.milter.listen === ''
      ? null
      : createMilterServer(
          checkSend,
          {
            content,
            // Policy and milter connections share policy.maxConnections: one budget, whichever driver Postfix uses.
            budget: policy.budget,
            onRefused: (client) => {
              metrics.milterConnectionRefused();
              const occurrences = milterRefusals.hit();
              if (occurrences > 0)
                log.warn({ client, occurrences, maxConnections: policy.caps.total }, 'milter connection refused: policy.maxConnections reached (policy and milter connections together; Postfix applies milter_default_action)');
            },
          },
          log,
        );
  let milterPort = 0;
  if (milter) {
    const at = parseListen(config.milter.listen);
    const bound = await listen(milter.server, at.host, at.port).catch(async (err: unknown) => {
      await policy.close();
      await backend.close();
      throw listenFailed('milter.listen', config.milter.listen, err);
    });
    milterPort = bound.port;
    log.info({ listen: `${bound.address}:${bound.port}` }, 'milter listening');
  }

  const sessionOptions = sessionOptionsOf(config);
  // Apart from the policy connections' share of the open-file limit: a flood of either leaves the other served.
  const httpCaps = httpConnectionCaps(config.http, config.http.maxConnections > 0 ? undefined : softOpenFileLimit());
  // The HTTP stack (Fastify, the cmdlet catalogue) loads after the policy server and the milter listen:
  // after a restart Postfix is answered ~0.5 s sooner.
  const [{ buildApp }, { remoteCmdlets }] = await Promise.all([import('./adapters/http/build-app.js'), import('./cli/cmdlets.js')]);
  const http = await buildApp({
    log,
    metrics: metrics.exposition(),
    observeRequest: (m, r, s, t) => metrics.observeRequest(m, r, s, t),
    checkStore: () => store.ping(),
    version: VERSION,
    store,
    clock,
    authenticate: (token, ip) => authenticateApiKey(store, token, ip, clock.now()),
    authenticateSession: (token, ip) => authenticateSession(store, clock, sessionOptions, token, ip),
    sessionOptions,
    unblockLimit: config.unblockLimit,
    webhookTargetAllowed: (url) => targetAllowed(url, webhooks),
    checkSend,
    serviceLimits,
    trustProxy: config.http.trustProxy,
    cmdlets: remoteCmdlets,
    portal: config.portal,
    alertSmtpConfigured: config.alerts.smtp.host !== '',
    connections: {
      caps: httpCaps,
      requestTimeoutSeconds: config.http.requestTimeoutSeconds,
      metrics,
    },
  });
  const httpAt = parseListen(config.http.listen);
  await http.listen({ host: httpAt.host, port: httpAt.port }).catch(async (err: unknown) => {
    await policy.close();
    await milter?.close();
    await http.close();
    await backend.close();
    throw listenFailed('http.listen', config.http.listen, err);
  });
  const httpPort = (http.server.address() as AddressInfo).port;
  log.info(
    { listen: `${httpAt.host}:${httpPort}`, maxConnections: httpCaps.total, maxConnectionsPerClient: httpCaps.perClient },
    'HTTP API listening (OpenAPI at /api/openapi.json, reference at /api/docs)',
  );

  const smtp = new SmtpNotifier(config.alerts.smtp, config.alerts.from);
  const alerts = startAlertWorker(
    store,
    clock,
    {
      sendEmail: (to, m) => smtp.sendEmail(to, m),
      postWebhook: (url, secret, body, now) =>
        postWebhook(url, secret, body, now, {
          userAgent: `Outgate/${VERSION}`,
          policy: webhooks,
          onFailure: (to, detail) => log.warn({ webhook: to, detail }, 'alert webhook delivery failed'),
        }),
    },
    {
      publicUrl: config.http.publicUrl || `http://${httpAt.host.includes(':') ? `[${httpAt.host}]` : httpAt.host}:${httpPort}`,
      retryBaseMs: config.alerts.retryBaseSeconds * 1000,
      intervalMs: ALERTS_MS,
      metrics,
      onError: (err) => background.report('alerts', err, 'alerts: a pass failed (it is tried again)'),
    },
  );
  if (config.alerts.smtp.host === '')
    log.warn('alerts.smtp.host is not set: alert email waits in the outbox until an SMTP server is configured');

  const unusual = new UnusualVolumeWatch(store, clock, {
    factor: config.alerts.unusualVolumeFactor,
    minRecipients: config.alerts.unusualVolumeMinRecipients,
  });
  const sweepUnusualVolume = async (): Promise<number> =>
    config.alerts.unusualVolumeFactor === 0 ? Promise.resolve(0) : unusual.sweep(await checkSend.activity(config.alerts.unusualVolumeMinRecipients));

  // The audit chain's head leaves the database in the log (and a metric): the anchor a rewrite cannot move.
  const exportAnchor = anchorExporter(store, (a) => {
    metrics.auditHead(a.seq);
    log.info({ auditAnchor: formatAnchor(a) }, 'audit chain head (keep outside the database; Test-AuditLogIntegrity -Anchor checks it)');
  });
  const anchorFailed = (err: unknown): void => background.report('audit-anchor', err, 'exporting the audit chain head failed');
  await exportAnchor().catch(anchorFailed);

  const timers = [
    setInterval(() => void exportAnchor().catch(anchorFailed), ANCHOR_MS),
    setInterval(() => background.run('release-expired', 'releasing expired restrictions failed', () => checkSend.releaseExpired()), SWEEP_MS),
    setInterval(() => {
      background.run('unusual-volume', 'looking for unusual sending volumes failed', sweepUnusualVolume);
      background.run('compact', 'compacting sender state failed', () => checkSend.compact());
      background.run('prune-sessions', 'pruning ended portal sessions failed', () => pruneSessions(store, clock, sessionOptions));
    }, COMPACT_MS),
  ];
  for (const t of timers) t.unref();

  let stopped = false;
  return {
    store,
    checkSend,
    policyPort: address.port,
    milterPort,
    httpPort,
    metrics,
    log,
    alerts,
    sweepUnusualVolume,
    flushSends: () => backend.flush(),
    reload(next) {
      const changed = changedSettings(loaded, next);
      loaded = next;
      Object.assign(serviceLimits, next.serviceLimits);
      checkSend.setServiceLimits(serviceLimits);
      checkSend.setFailMode(next.policy.failMode);
      policyOptions.maxRequestBytes = next.policy.maxRequestBytes;
      log.level = next.log.level;
      const restart = changed.filter((p) => !isLive(p));
      if (restart.length > 0)
        log.warn({ settings: restart }, `changed settings take effect only after a restart (systemctl restart outgate): ${restart.join(', ')}`);
      log.info({ changed: changed.filter(isLive) }, 'configuration reloaded');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      log.info({ deadlineMs: DRAIN_MS }, 'stopping: no new connections, answering requests in flight');
      // Both drivers at once: each finishes what it has received within the same bound.
      const [dropped, milterDropped] = await Promise.all([policy.drain(DRAIN_MS), milter?.drain(DRAIN_MS) ?? 0]);
      if (dropped > 0) log.warn({ dropped }, `policy connections still busy after ${DRAIN_MS / 1000} s were dropped (Postfix retries them)`);
      if (milterDropped > 0)
        log.warn({ dropped: milterDropped }, `milter connections still in a message after ${DRAIN_MS / 1000} s were dropped (Postfix applies milter_default_action)`);
      // Closing the SMTP pool ends a send under way; it stays in the outbox and is sent after the restart.
      const stopping = alerts.stop();
      smtp.close();
      await stopping;
      await http.close();
      await exportAnchor().catch(anchorFailed);
      await backend.close();
      log.info('stopped');
    },
  };
}

/** A port that cannot be opened is the operator's to fix, not a crash: say which setting and why. */
function listenFailed(setting: string, listen: string, err: unknown): OutgateError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the address is already in use (is another Outgate or another service running there?)'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : code === 'EADDRNOTAVAIL'
          ? 'no network interface has this address'
          : (err as Error).message;
  return new OutgateError(Errors.LISTEN_FAILED, `Cannot listen on ${listen} (${setting}): ${why}.`);
}

export function sessionOptionsOf(config: Readonly<Config>): SessionOptions {
  const s = config.http.session;
  return {
    idleMs: s.idleMinutes * 60_000,
    absoluteMs: s.absoluteHours * 3_600_000,
    perAccount: { max: s.failuresPerAccount, windowMs: s.throttleMinutes * 60_000 },
    perAddress: { max: s.failuresPerAddress, windowMs: s.throttleMinutes * 60_000 },
  };
}
