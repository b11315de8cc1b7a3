// `outgate start --demo`: a throwaway Outgate filled with a tenant, domains, policies, a connector, an
// admin account of every role, and about a minute of synthetic traffic sent through the real Postfix
// policy protocol (over TCP to its own policy server), so every portal page has real content: senders
// restricted, alerts raised, sending activity and 24 hours of history. The data dir is removed on exit.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { newAcceptedDomain } from './app/accepted-domains.js';
import { newAccount } from './app/accounts.js';
import { newConnector } from './app/connectors.js';
import type { AdminContext } from './app/directory-change.js';
import { newPolicy, setPolicy } from './app/policies.js';
import type { Clock } from './app/ports.js';
import { clockFromEnv } from './adapters/clock/clock.js';
import { PolicyClient, sendMessage } from './adapters/postfix-policy/client.js';
import { ROLES } from './app/roles.js';
import { newRule } from './app/rules.js';
import { newTenant } from './app/tenants.js';
import { loadConfig } from './config/load.js';
import { startServer, type Running } from './main.js';

const HOUR = 3_600_000;
const TENANT = 'Contoso';

/** The process clock, shifted: the demo replays the last 24 hours quickly, then runs at real time. */
class DemoClock implements Clock {
  offset = -24 * HOUR;
  constructor(private readonly base: Clock) {}
  now(): number {
    return this.base.now() + this.offset;
  }
}

/** One message as Postfix asks about it; a connector's relayed mail has no login. */
async function send(c: PolicyClient, m: { login?: string; client?: string; to: string[] }): Promise<void> {
  await sendMessage(c, { ...m, from: m.login ?? 'relay@branch.contoso.com' });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const password = (): string => randomBytes(12).toString('base64url');

/** A small deterministic generator, so every demo tells the same story. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const USERS = ['megan', 'lee', 'nestor', 'pradeep', 'isaiah', 'lidia', 'miriam', 'diego', 'grady', 'johanna'];
const recipients = (n: number, internal: boolean, r: () => number): string[] =>
  Array.from({ length: n }, () =>
    internal
      ? `${USERS[Math.floor(r() * USERS.length)]}@contoso.com`
      : `contact${Math.floor(r() * 5000)}@${['fabrikam.com', 'example.org', 'tailspintoys.com', 'wingtiptoys.com'][Math.floor(r() * 4)]}`,
  );

export interface Demo {
  running: Running;
  url: string;
  dataDir: string;
  accounts: Array<{ name: string; role: string; password: string }>;
  /** The provider admin's address (OUTGATE_ADMIN_EMAIL), where TenantAdmins alerts go; null: none. */
  adminEmail: string | null;
  /** alerts.smtp.host is set: alert email is sent, not kept in the outbox. */
  smtpConfigured: boolean;
  /** Resolves when the first minute of traffic is done (restrictions and alerts are in). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export async function startDemo(
  opts: { out?: (line: string) => void; replayStepMs?: number; overrides?: Record<string, unknown>; clock?: Clock } = {},
): Promise<Demo> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dataDir = mkdtempSync(join(tmpdir(), 'outgate-demo-'));
  const adminPassword = password();
  const clock = new DemoClock(opts.clock ?? clockFromEnv());
  const config = loadConfig({ overrides: { ...opts.overrides, dataDir, 'policy.listen': '127.0.0.1:0', 'milter.listen': '' } });
  const previous = process.env.OUTGATE_ADMIN_PASSWORD;
  process.env.OUTGATE_ADMIN_PASSWORD = adminPassword;
  let running: Running;
  try {
    running = await startServer(config, { clock, log: pino({ level: process.env.OUTGATE_LOG_LEVEL ?? 'warn' }) });
  } finally {
    if (previous === undefined) delete process.env.OUTGATE_ADMIN_PASSWORD;
    else process.env.OUTGATE_ADMIN_PASSWORD = previous;
  }
  const url = `http://${config.http.listen.replace(/:\d+$/, '')}:${running.httpPort}`.replace('://0.0.0.0:', '://127.0.0.1:');
  out(`Outgate demo on a throwaway data dir: ${dataDir}`);

  const provider: AdminContext = {
    store: running.store,
    clock,
    actor: { name: 'demo', role: 'Global Administrator', source: 'system', ip: null, tenantId: null },
  };
  const ctx: AdminContext = { ...provider, tenant: TENANT };
  await newTenant(provider, TENANT);
  await newAcceptedDomain(ctx, 'Contoso', 'contoso.com');
  await newAcceptedDomain(ctx, 'Contoso (Europe)', 'contoso.eu');
  await setPolicy(ctx, 'Default', {
    RecipientLimitExternalPerHour: 30,
    RecipientLimitInternalPerHour: 60,
    RecipientLimitPerDay: 300,
    ActionWhenThresholdReached: 'BlockUserForToday',
  });
  await newPolicy(ctx, 'Sales team', {
    AdminDisplayName: 'Tighter limits for the sales mailboxes',
    RecipientLimitExternalPerHour: 20,
    RecipientLimitInternalPerHour: 0,
    RecipientLimitPerDay: 200,
    ActionWhenThresholdReached: 'BlockUser',
  });
  await newRule(ctx, 'Sales team', {
    HostedOutboundSpamFilterPolicy: 'Sales team',
    From: ['sales@contoso.com', 'nestor@contoso.com', 'pradeep@contoso.com'],
  });
  await newConnector(ctx, 'Branch office relay', { SenderIPAddresses: ['203.0.113.0/24'], RecipientLimitExternalPerHour: 40 });

  const accounts = [{ name: 'admin', role: 'Global Administrator (provider: every tenant)', password: adminPassword }];
  for (const role of ROLES.filter((r) => r !== 'Sending Application')) {
    const name = role.toLowerCase().replace(/[^a-z]+/g, '-');
    const pw = password();
    await newAccount(ctx, name, { Role: role, Password: pw, DisplayName: `${role} (${TENANT})` });
    accounts.push({ name, role: `${role} (${TENANT})`, password: pw });
  }

  const policy = await PolicyClient.open(running.policyPort);
  const r = rng(20261128);
  const step = opts.replayStepMs ?? 1500;
  let stopped = false;

  const background = async (scale = 1): Promise<void> => {
    for (const u of USERS) {
      const messages = Math.floor(r() * 3 * scale);
      for (let i = 0; i < messages; i++) {
        const internal = r() < 0.5;
        await send(policy, { login: `${u}@contoso.com`, to: recipients(1 + Math.floor(r() * 3), internal, r) });
      }
    }
    if (r() < 0.5) await send(policy, { client: '203.0.113.7', to: recipients(1 + Math.floor(r() * 4), false, r) });
  };

  const ready = (async () => {
    out('Replaying the last 24 hours of mail through the policy server (about a minute)…');
    for (let h = 24; h >= 1 && !stopped; h--) {
      clock.offset = -h * HOUR;
      await background(h % 24 < 10 ? 1.5 : 0.6);
      if (h === 3) for (let i = 0; i < 6; i++) await send(policy, { login: 'megan@contoso.com', to: recipients(4, false, r) }); // close to her limit, not over
      await sleep(step);
    }
    clock.offset = 0;
    // The incidents, live: a compromised mailbox under the default policy, one under the Sales team policy,
    // and a relay connector, each sending until the policy restricts it.
    for (let i = 0; i < 12 && !stopped; i++) await send(policy, { login: 'alex@contoso.com', to: recipients(4, false, r) });
    for (let i = 0; i < 8 && !stopped; i++) await send(policy, { login: 'pradeep@contoso.com', to: recipients(4, false, r) });
    for (let i = 0; i < 12 && !stopped; i++) await send(policy, { client: '203.0.113.9', to: recipients(5, false, r) });
    for (let i = 0; i < 6 && !stopped; i++) await send(policy, { login: 'lidia@contoso.com', to: recipients(4, false, r) });
    await sleep(1500);
  })();

  // After the first minute, a trickle of ordinary mail keeps Sending activity moving.
  let trickle: NodeJS.Timeout | undefined;
  void ready.then(() => {
    if (stopped) return;
    trickle = setInterval(() => void background(0.3).catch(() => undefined), 5000);
  });

  return {
    running,
    url,
    dataDir,
    accounts,
    adminEmail: config.admin.email || null,
    smtpConfigured: config.alerts.smtp.host !== '',
    ready,
    async stop() {
      stopped = true;
      if (trickle) clearInterval(trickle);
      await ready.catch(() => undefined);
      policy.close();
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where alert email goes, or the prompt to give the first admin an address (it goes nowhere without one). */
function alertEmailLines(demo: Demo): string[] {
  if (demo.adminEmail === null) {
    return [
      "Alert email: 'admin' has no email address, so alerts to TenantAdmins go nowhere. Start with",
      '  OUTGATE_ADMIN_EMAIL=you@example.com (and OUTGATE_ALERTS_SMTP_HOST) or add one in Settings, Admin accounts.',
    ];
  }
  const how = demo.smtpConfigured ? 'through alerts.smtp.host' : 'once OUTGATE_ALERTS_SMTP_HOST is set (until then it waits in the outbox)';
  return [`Alert email to TenantAdmins goes to ${demo.adminEmail} ${how}.`];
}

/** What `outgate start --demo` prints once the demo is ready. */
export function describeDemo(demo: Demo): string {
  const width = Math.max(...demo.accounts.map((a) => a.name.length));
  return [
    '',
    `Outgate demo is ready: open ${demo.url}/restrictedentities`,
    '',
    'Sign in with any of these accounts (passwords are new each run):',
    ...demo.accounts.map((a) => `  ${a.name.padEnd(width)}  ${a.password}  ${a.role}`),
    '',
    `The ${TENANT} tenant (contoso.com) has restricted users and a restricted connector, alerts, two outbound`,
    'policies and 24 hours of sending history; a trickle of mail keeps Sending activity live.',
    "'admin' is provider-level: pick Contoso in the tenant switcher at the top right.",
    ...alertEmailLines(demo),
    'Ctrl+C stops the demo and deletes its data dir.',
    '',
  ].join('\n');
}
