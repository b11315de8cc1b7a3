// The composition root: the only place that wires the store, the use cases and the adapters together.
import { pino, type Logger } from 'pino';
import { CheckSend } from './app/check-send.js';
import type { Clock } from './app/ports.js';
import { clockFromEnv } from './adapters/clock/clock.js';
import { bootstrap } from './app/tenants.js';
import { authenticateApiKey, ensureFirstAdmin, FIRST_ADMIN } from './app/accounts.js';
import { authenticateSession, pruneSessions, type SessionOptions } from './app/sessions.js';
import { parseListen } from './config/load.js';
import type { Config } from './config/schema.js';
import { createPolicyServer, listen } from './adapters/postfix-policy/server.js';
import { SqliteStore } from './adapters/store/sqlite/store.js';
import { lockDataDir } from './data-dir-lock.js';
import { buildApp } from './adapters/http/build-app.js';
import { PrometheusMetrics } from './adapters/metrics/prometheus.js';
import type { AddressInfo } from 'node:net';
import { VERSION } from './version.js';
import { BackgroundFailures } from './background-failures.js';
import { remoteCmdlets } from './cli/cmdlets.js';
import { startAlertWorker, type AlertWorker } from './app/alert-worker.js';
import { UnusualVolumeWatch } from './app/unusual-volume.js';
import { SmtpNotifier } from './adapters/notify/smtp-notifier.js';
import { postWebhook } from './adapters/notify/webhook-poster.js';

export interface Running {
  readonly store: SqliteStore;
  readonly checkSend: CheckSend;
  readonly policyPort: number;
  readonly httpPort: number;
  readonly metrics: PrometheusMetrics;
  readonly log: Logger;
  /** Raises alerts from the audit log and delivers their notifications. */
  readonly alerts: AlertWorker;
  /** Warns about senders far above their usual volume (runs every minute; tests call it). */
  sweepUnusualVolume(): Promise<number>;
  /** Applies every acknowledged send to the store now, instead of within APPLY_MS (reports read the store). */
  flushSends(): Promise<void>;
  stop(): Promise<void>;
}

const SWEEP_MS = 1_000;
const APPLY_MS = 200;
const COMPACT_MS = 60_000;
/** Alerts reach admins within about a second of the audit record that raises them. */
const ALERTS_MS = 500;

export async function startServer(config: Readonly<Config>, opts: { clock?: Clock; log?: Logger } = {}): Promise<Running> {
  const log = opts.log ?? pino({ level: config.log.level, base: { service: 'outgate' } });
  const clock = opts.clock ?? clockFromEnv();
  const store = new SqliteStore(config.dataDir, { synchronous: config.store.synchronous, busyTimeoutMs: config.store.busyTimeoutMs });
  let unlock: () => void;
  try {
    unlock = lockDataDir(config.dataDir);
  } catch (err) {
    await store.close();
    throw err;
  }
  const metrics = new PrometheusMetrics();
  const background = new BackgroundFailures(log, metrics);
  store.startBackgroundCheckpoints((message) => background.report('wal-checkpoint', message, 'background WAL checkpoint failed', 'warn'));
  store.openJournal(config.store.synchronous === 'full');
  store.startBackgroundApply();
  await bootstrap(store, clock);
  const first = await ensureFirstAdmin(store, clock.now(), process.env.OUTGATE_ADMIN_PASSWORD);
  if (first.created && first.generated) {
    // Shown once, here: the store keeps only its argon2id hash.
    log.warn({ account: FIRST_ADMIN }, `created the first Global Administrator '${FIRST_ADMIN}' with the one-time password ${first.password} (change it; set OUTGATE_ADMIN_PASSWORD to choose it)`);
  } else if (first.created) {
    log.info({ account: FIRST_ADMIN }, `created the first Global Administrator '${FIRST_ADMIN}' with the password from OUTGATE_ADMIN_PASSWORD`);
  }
  const earlyWarning = config.alerts.earlyWarningPercent === 0 ? undefined : config.alerts.earlyWarningPercent / 100;
  const checkSend = await CheckSend.start(store, clock, config.serviceLimits, metrics, earlyWarning);

  if (config.policy.failMode === 'open') {
    log.warn('policy.failMode=open: on a store failure mail is let through (DUNNO) instead of deferred');
  }
  const policy = createPolicyServer(checkSend, config.policy, log, metrics, metrics);
  const { host, port } = parseListen(config.policy.listen);
  const address = await listen(policy.server, host, port);
  const caps = { maxConnections: policy.caps.total, maxConnectionsPerClient: policy.caps.perClient };
  log.info({ listen: `${address.address}:${address.port}`, dataDir: config.dataDir, failMode: config.policy.failMode, ...caps }, 'policy server listening');

  const sessionOptions = sessionOptionsOf(config);
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
    checkSend,
    serviceLimits: config.serviceLimits,
    cmdlets: remoteCmdlets,
    portal: config.portal,
  });
  const httpAt = parseListen(config.http.listen);
  await http.listen({ host: httpAt.host, port: httpAt.port });
  const httpPort = (http.server.address() as AddressInfo).port;
  log.info({ listen: `${httpAt.host}:${httpPort}` }, 'HTTP API listening (OpenAPI at /api/openapi.json, reference at /api/docs)');

  const smtp = new SmtpNotifier(config.alerts.smtp, config.alerts.from);
  const alerts = startAlertWorker(
    store,
    clock,
    { sendEmail: (to, m) => smtp.sendEmail(to, m), postWebhook: (url, secret, body, now) => postWebhook(url, secret, body, now, `Outgate/${VERSION}`) },
    {
      publicUrl: config.http.publicUrl || `http://${httpAt.host.includes(':') ? `[${httpAt.host}]` : httpAt.host}:${httpPort}`,
      retryBaseMs: config.alerts.retryBaseSeconds * 1000,
      intervalMs: ALERTS_MS,
      metrics,
      onError: (err) => background.report('alerts', err, 'alerts: a pass failed (it is tried again)'),
    },
  );
  if (config.alerts.smtp.host === '') log.warn('alerts.smtp.host is not set: alert email waits in the outbox until an SMTP server is configured');

  const unusual = new UnusualVolumeWatch(store, clock, { factor: config.alerts.unusualVolumeFactor, minRecipients: config.alerts.unusualVolumeMinRecipients });
  const sweepUnusualVolume = (): Promise<number> => (config.alerts.unusualVolumeFactor === 0 ? Promise.resolve(0) : unusual.sweep(checkSend.activity()));

  // A timer's failure (a full disk, a corrupt file) is logged and counted; the decisions that need the
  // store fail closed on their own, and /api/v1/ready answers 503 until the store works again.
  const applyFailed = 'applying journaled sends to the store failed (they stay journaled; retrying)';
  const timers = [
    setInterval(() => {
      background.run('apply-journal', applyFailed, () => store.applyJournalInBackground((err) => background.report('apply-journal', err, applyFailed)));
    }, APPLY_MS),
    setInterval(() => {
      background.run('poll-changes', 'reading changes made by other processes failed (decisions fail closed until it works)', () => store.pollChanges());
      background.run('release-expired', 'releasing expired restrictions failed', () => checkSend.releaseExpired());
    }, SWEEP_MS),
    setInterval(() => {
      background.run('unusual-volume', 'looking for unusual sending volumes failed', sweepUnusualVolume);
      background.run('compact', 'compacting sender state failed', () => checkSend.compact());
      background.run('prune-sessions', 'pruning ended portal sessions failed', () => pruneSessions(store, clock, sessionOptions));
      background.run('prune-windows', 'pruning old sending windows failed', () => store.prune(clock.now()));
    }, COMPACT_MS),
  ];
  for (const t of timers) t.unref();

  let stopped = false;
  return {
    store,
    checkSend,
    policyPort: address.port,
    httpPort,
    metrics,
    log,
    alerts,
    sweepUnusualVolume,
    flushSends: () => store.flushJournal(),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      // Closing the SMTP pool ends a send under way; it stays in the outbox and is sent after the restart.
      const stopping = alerts.stop();
      smtp.close();
      await stopping;
      await policy.close();
      await http.close();
      await store.close();
      unlock();
      log.info('stopped');
    },
  };
}

function sessionOptionsOf(config: Readonly<Config>): SessionOptions {
  const s = config.http.session;
  return {
    idleMs: s.idleMinutes * 60_000,
    absoluteMs: s.absoluteHours * 3_600_000,
    perAccount: { max: s.failuresPerAccount, windowMs: s.throttleMinutes * 60_000 },
    perAddress: { max: s.failuresPerAddress, windowMs: s.throttleMinutes * 60_000 },
  };
}
