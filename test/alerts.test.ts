// Alerts end to end: a sender restricted through the Postfix policy protocol raises one alert, and the
// admins get one email each, delivered by nodemailer to a real SMTP server on loopback; repeats join the
// alert; the daily notification limit suppresses the rest, across a restart; auditing off stops alerts;
// webhooks are signed; an SMTP server that is down delays the email but does not lose it.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startServer, type Running } from '../src/main.js';
import { parseMail } from './support/mail.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { ok, runCli, tempDataDir, TestClock } from './support/outgate.js';

// ─── Helpers ───

interface Server extends Running {
  clock: TestClock;
  dataDir: string;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  json<T = unknown>(...args: string[]): Promise<T>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, asserted field by field
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** Starts Outgate on `dataDir` (kept on stop, so a test can restart on it), mailing through 127.0.0.1:`smtpPort`. */
async function start(dataDir: string, smtpPort: number, clock = new TestClock(), overrides: Record<string, unknown> = {}): Promise<Server> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      'policy.listen': '127.0.0.1:0',
      'milter.listen': '',
      'http.listen': '127.0.0.1:0',
      'http.publicUrl': 'https://outgate.example.net',
      'alerts.smtp.host': '127.0.0.1',
      'alerts.smtp.port': smtpPort,
      'alerts.smtp.ignoreTLS': true,
      'alerts.from': 'Outgate <alerts@outgate.example.net>',
      ...overrides,
    },
  });
  const running = await startServer(config, { clock, log: pino({ level: process.env.OUTGATE_TEST_LOG ?? 'silent' }) });
  const cli = (...args: string[]) => runCli(dataDir, args, {}, clock);
  let key = '';
  return {
    ...running,
    clock,
    dataDir,
    cli,
    async json<T>(...args: string[]) {
      const r = await cli(...args, '--format', 'json');
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as T;
    },
    async api(method, path, body) {
      if (!key) {
        await ok(cli('New-AdminAccount', 'ops', '-Role', 'Security Administrator'));
        key = (JSON.parse((await ok(cli('New-ApiKey', 'ops', '--format', 'json'))).stdout) as { Secret: string }).Secret;
      }
      const res = await fetch(`http://127.0.0.1:${running.httpPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

/** Two Global Administrators with addresses (TenantAdmins), and a limit of 1 external recipient per hour. */
async function setUp(s: Server): Promise<void> {
  assert.equal((await s.cli('Set-AdminAccount', 'admin', '-Email', 'admin@corp.example')).code, 0);
  assert.equal((await s.cli('New-AdminAccount', 'second', '-Role', 'Global Administrator', '-Email', 'Second@Corp.Example')).code, 0);
  assert.equal((await s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1')).code, 0);
}

/** Sends two messages as `login`: the second goes over the limit and restricts it. */
async function restrict(s: Server, login: string): Promise<void> {
  const c = await PolicyClient.open(s.policyPort);
  try {
    await sendMessage(c, { login, to: ['a@example.com'] });
    const r = await sendMessage(c, { login, to: ['b@example.com'] });
    assert.equal(r.rcpt[0], 'action=550 5.1.8 Access denied, bad outbound sender');
  } finally {
    c.close();
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface AlertJson {
  Identity: string;
  PolicyName: string;
  Severity: string;
  Status: string;
  Entity: string;
  EventCount: number;
  Events: Array<{ Operation: string }>;
  Notifications: Array<{
    Channel: string;
    Recipient: string;
    Status: string;
    Attempts: number;
    LastError: string | null;
    SentAt: string | null;
  }>;
}

const byRecipient = (a: AlertJson) => [...a.Notifications].sort((x, y) => x.Recipient.localeCompare(y.Recipient));

// ─── Scenarios ───

test(
  'a user over the limit is restricted and alerted once: one alert, one email per admin; a repeat joins the alert',
  { timeout: 60_000 },
  async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());
    const dir = tempDataDir();
    const s = await start(dir, sink.port);
    t.after(async () => {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    await setUp(s);

    await restrict(s, 'julia@contoso.example');
    await s.alerts.runOnce();
    const first = await sink.waitFor((m) => m.to.includes('admin@corp.example'));
    await sink.waitFor((m) => m.to.includes('second@corp.example'));

    // Unblocked and restricted again within 15 minutes: the same alert, no new email.
    s.clock.advance(5 * 60_000);
    assert.equal((await s.cli('Remove-BlockedSenderAddress', 'julia@contoso.example')).code, 0);
    await restrict(s, 'julia@contoso.example');
    await s.alerts.runOnce();

    const list = await s.json<AlertJson[]>('Get-Alert');
    assert.equal(list.length, 1);
    const alert = await s.json<AlertJson>('Get-Alert', list[0]!.Identity);
    assert.deepEqual(
      [alert.PolicyName, alert.Severity, alert.Status, alert.Entity, alert.EventCount],
      ['User restricted from sending email', 'High', 'New', 'julia@contoso.example', 2],
    );
    assert.deepEqual(
      alert.Events.map((e) => e.Operation),
      ['SenderRestricted', 'SenderRestricted'],
    );
    assert.deepEqual(
      byRecipient(alert).map((n) => [n.Channel, n.Recipient, n.Status, n.Attempts]),
      [
        ['email', 'admin@corp.example', 'Sent', 1],
        ['email', 'second@corp.example', 'Sent', 1],
      ],
    );
    assert.equal(sink.messages.length, 2, 'exactly one email per recipient');
    const metrics = await (await fetch(`http://127.0.0.1:${s.httpPort}/metrics`)).text();
    assert.match(metrics, /^outgate_alerts_raised_total 1$/m);
    assert.match(metrics, /^outgate_alert_notifications_total\{channel="email",outcome="Sent"\} 2$/m);

    const mail = parseMail(first.raw);
    assert.equal(mail.header('subject'), '[Outgate] High: User restricted from sending email - julia@contoso.example');
    assert.equal(mail.header('from'), 'Outgate <alerts@outgate.example.net>');
    assert.equal(first.from, 'alerts@outgate.example.net');
    const text = mail.parts.get('text/plain')!;
    assert.match(text, /^User: julia@contoso\.example$/m);
    assert.match(text, /^Alert policy: User restricted from sending email$/m);
    assert.match(text, /^When \(UTC\): 2026-11-28T09:00:00\.000Z$/m);
    assert.match(text, /^ {2}RecipientLimitExternalPerHour: 1$/m);
    assert.match(text, /^ {2}ExternalRecipientCountToday: 1$/m);
    assert.match(
      text,
      /^Open it in Outgate: https:\/\/outgate\.example\.net\/restrictedentities\?entityType=Mailbox&identity=julia%40contoso\.example&tenant=default$/m,
    );
    assert.match(
      mail.parts.get('text/html')!,
      /<a href="https:\/\/outgate\.example\.net\/restrictedentities\?entityType=Mailbox&amp;identity=julia%40contoso\.example&amp;tenant=default">/,
    );

    // Resolving it is audited; a later restriction opens a new alert.
    const resolved = await s.api('PATCH', `/api/v1/alerts/${alert.Identity}`, { Status: 'Resolved' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    assert.equal(resolved.body.Status, 'Resolved');
    const audit = await s.json<Array<{ Operation: string; After: unknown }>>('Search-AdminAuditLog', '-Operations', 'Set-Alert');
    assert.deepEqual(audit[0]!.After, { Status: 'Resolved' });
  },
);

test(
  'the daily notification limit suppresses the rest, recorded as Suppressed, and holds across a restart',
  { timeout: 60_000 },
  async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());
    const dir = tempDataDir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    let s = await start(dir, sink.port);
    t.after(() => s.stop());
    await setUp(s);
    const set = await s.cli(
      'Set-ProtectionAlert',
      'User restricted from sending email',
      '-DailyNotificationLimit',
      '1',
      '-NotifyUser',
      'TenantAdmins,soc@corp.example',
    );
    assert.equal(set.code, 0, set.stderr);

    await restrict(s, 'one@contoso.example');
    await restrict(s, 'two@contoso.example');
    await s.alerts.runOnce();
    await sink.waitFor((m) => m.to.includes('soc@corp.example'));

    // A restart, then a third sender the same day: still over the limit.
    const clock = s.clock;
    await s.stop();
    s = await start(dir, sink.port, clock);
    await restrict(s, 'three@contoso.example');
    await s.alerts.runOnce();

    const alerts = await s.json<AlertJson[]>('Get-Alert');
    assert.equal(alerts.length, 3);
    const statuses = await Promise.all(
      alerts.map(async (a) => byRecipient(await s.json<AlertJson>('Get-Alert', a.Identity)).map((n) => `${n.Recipient}=${n.Status}`)),
    );
    assert.deepEqual(statuses.sort(), [
      ['admin@corp.example=Sent', 'second@corp.example=Sent', 'soc@corp.example=Sent'],
      ['admin@corp.example=Suppressed', 'second@corp.example=Suppressed', 'soc@corp.example=Suppressed'],
      ['admin@corp.example=Suppressed', 'second@corp.example=Suppressed', 'soc@corp.example=Suppressed'],
    ]);
    const details = await Promise.all(alerts.map((a) => s.json<AlertJson>('Get-Alert', a.Identity)));
    const suppressed = details.flatMap((d) => d.Notifications).find((n) => n.Status === 'Suppressed')!;
    assert.match(suppressed.LastError!, /daily notification limit \(1\) was reached for 2026-11-28/);
    assert.equal(sink.messages.length, 3);

    // The next UTC day the limit starts again.
    s.clock.advance(24 * 3_600_000);
    await restrict(s, 'four@contoso.example');
    await s.alerts.runOnce();
    await sink.waitFor((m) => m.to.includes('soc@corp.example') && sink.messages.indexOf(m) >= 3);
  },
);

test('with auditing off no alert fires, not even after it is turned on again, and the views say why', { timeout: 60_000 }, async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = tempDataDir();
  const s = await start(dir, sink.port);
  t.after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await setUp(s);
  assert.equal((await s.cli('Set-AdminAuditLogConfig', '-UnifiedAuditLogIngestionEnabled', '$false')).code, 0);
  await restrict(s, 'quiet@contoso.example');
  await s.alerts.runOnce();
  const policies = await s.api('GET', '/api/v1/alert-policies');
  assert.equal(policies.body.auditEnabled, false);
  assert.deepEqual((await s.api('GET', '/api/v1/alerts')).body, { auditEnabled: false, total: 0, items: [] });
  const cli = await ok(s.cli('Get-ProtectionAlert'));
  assert.match(cli.stderr, /^WARNING: Audit logging is OFF: no alert fires until it is turned on/m);
  assert.match(cli.stdout, /^User restricted from sending email +High +false +true +\{TenantAdmins\}/m);

  assert.equal((await s.cli('Set-AdminAuditLogConfig', '-UnifiedAuditLogIngestionEnabled', '$true')).code, 0);
  await s.alerts.runOnce();
  assert.deepEqual((await s.api('GET', '/api/v1/alerts')).body, { auditEnabled: true, total: 0, items: [] });
  assert.equal(sink.messages.length, 0);
});

test('webhooks get the alert as JSON signed with HMAC-SHA256 over timestamp.body', { timeout: 60_000 }, async (t) => {
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let failFirst = true;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      // The first delivery fails: it is retried, and both attempts show.
      if (failFirst) {
        failFirst = false;
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  t.after(() => receiver.close());
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = tempDataDir();
  // The receiver is on the loopback, which webhooks reach only when the operator allows it (here
  // 127.0.0.1 alone: other internal targets are still refused).
  const s = await start(dir, sink.port, new TestClock(), { 'alerts.webhookAllow': ['127.0.0.1/32'] });
  t.after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await setUp(s);
  for (const internal of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1:8440/', 'http://0x7f000002/', 'http://[::1]/']) {
    const refused = await s.api('POST', '/api/v1/alert-webhooks', { Name: 'probe', Url: internal });
    assert.deepEqual([refused.status, refused.body.code], [400, 'OG_ERR_INVALID_ARGUMENT'], internal);
    assert.match(refused.body.message, /public address/);
  }
  const hook = await s.api('POST', '/api/v1/alert-webhooks', {
    Name: 'siem',
    Url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
  });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  assert.match(hook.body.Secret, /^whsec_/);
  assert.equal((await s.api('GET', '/api/v1/alert-webhooks')).body[0].Secret, undefined, 'the secret is shown once');

  await restrict(s, 'hooked@contoso.example');
  await s.alerts.runOnce();
  assert.equal(received.length, 0);
  s.clock.advance(15_000);
  await s.alerts.runOnce();
  assert.equal(received.length, 1);

  const { headers, body } = received[0]!;
  const ts = String(headers['x-outgate-timestamp']);
  const expected = `sha256=${createHmac('sha256', hook.body.Secret).update(`${ts}.${body}`).digest('hex')}`;
  assert.equal(headers['x-outgate-signature'], expected);
  assert.equal(Number(ts), Math.floor(s.clock.now() / 1000));
  const payload = JSON.parse(body);
  assert.deepEqual(
    [payload.Type, payload.Alert.PolicyName, payload.Alert.Entity],
    ['Alert', 'User restricted from sending email', 'hooked@contoso.example'],
  );

  const [alert] = (await s.api('GET', '/api/v1/alerts')).body.items;
  const detail = (await s.api('GET', `/api/v1/alerts/${alert.Identity}`)).body;
  const webhook = detail.Notifications.find((n: { Channel: string }) => n.Channel === 'webhook');
  assert.deepEqual([webhook.Status, webhook.Attempts, webhook.LastError], ['Sent', 2, null]);
});

test(
  'a webhook is checked again at delivery: a target no longer allowed fails with an error that says nothing of the network',
  { timeout: 60_000 },
  async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());
    const dir = tempDataDir();
    const clock = new TestClock();
    let s = await start(dir, sink.port, clock, { 'alerts.webhookAllow': ['127.0.0.1/32'] });
    t.after(async () => {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    await setUp(s);
    // Allowed when made; a closed port on the loopback (the policy port would do as well).
    assert.equal((await s.api('POST', '/api/v1/alert-webhooks', { Name: 'gone', Url: 'http://127.0.0.1:1/hook' })).status, 201);
    await s.stop();
    s = await start(dir, sink.port, clock);
    await restrict(s, 'probed@contoso.example');
    await s.alerts.runOnce();
    const [alert] = await s.json<AlertJson[]>('Get-Alert');
    const webhook = (await s.json<AlertJson>('Get-Alert', alert!.Identity)).Notifications.find((n) => n.Channel === 'webhook');
    assert.deepEqual([webhook?.Status, webhook?.Attempts, webhook?.LastError], ['Pending', 1, 'Webhook: delivery failed']);
  },
);

test(
  'an SMTP server that is down delays the notification; it survives a restart and is delivered when the server is back',
  { timeout: 60_000 },
  async (t) => {
    const port = await freePort();
    const dir = tempDataDir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    let s = await start(dir, port);
    t.after(() => s.stop());
    await setUp(s);
    await ok(s.cli('Set-ProtectionAlert', 'User restricted from sending email', '-NotifyUser', 'soc@corp.example'));
    await restrict(s, 'late@contoso.example');
    await s.alerts.runOnce();
    const [alert] = await s.json<AlertJson[]>('Get-Alert');
    const pending = (await s.json<AlertJson>('Get-Alert', alert!.Identity)).Notifications[0]!;
    assert.deepEqual([pending.Status, pending.Attempts], ['Pending', 1]);
    assert.match(pending.LastError!, /ECONNREFUSED/);

    // Outgate restarts while the SMTP server is still down, then the SMTP server comes back.
    const clock = s.clock;
    await s.stop();
    s = await start(dir, port, clock);
    const sink = await startSmtpSinkOn(port);
    t.after(() => sink.close());
    s.clock.advance(15_000);
    await s.alerts.runOnce();
    const got = await sink.waitFor((m) => m.to.includes('soc@corp.example'));
    assert.match(parseMail(got.raw).header('subject')!, /late@contoso\.example$/);
    const sent = (await s.json<AlertJson>('Get-Alert', alert!.Identity)).Notifications[0]!;
    assert.deepEqual([sent.Status, sent.Attempts, sent.LastError], ['Sent', 2, null]);
    assert.equal(sink.messages.length, 1, 'sent once');
  },
);

test('no reason or address can inject a header or markup into the email', { timeout: 60_000 }, async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = tempDataDir();
  const s = await start(dir, sink.port);
  t.after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await setUp(s);
  await ok(s.cli('Set-ProtectionAlert', 'User restricted from sending email', '-NotifyUser', 'soc@corp.example'));
  // A record as hostile as the audit log could hold: CR LF in the entity and in the reason.
  await s.store.recordAudit([
    {
      at: s.clock.now(),
      tenantId: 'default',
      actor: { name: 'system', role: 'System', source: 'system', ip: null, tenantId: null },
      operation: 'SenderRestricted',
      target: 'Mailbox:evil@contoso.example\r\nBcc: victim@elsewhere.example',
      before: null,
      after: { Reason: 'x\r\nX-Injected: yes\r\n\r\n<script>alert(1)</script>' },
      result: 'Succeeded',
    },
  ]);
  await s.alerts.runOnce();
  const m = await sink.waitFor((x) => x.to.includes('soc@corp.example'));
  assert.deepEqual(m.to, ['soc@corp.example']);
  const mail = parseMail(m.raw);
  const names = mail.headers.map(([k]) => k);
  assert.ok(!names.includes('bcc') && !names.includes('x-injected'), names.join(','));
  assert.equal(
    mail.header('subject'),
    '[Outgate] High: User restricted from sending email - evil@contoso.example Bcc: victim@elsewhere.example',
  );
  const html = mail.parts.get('text/html')!;
  assert.ok(!html.includes('<script>'));
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

/** The loopback sink, on a given port (the one the server was told about while nothing listened). */
async function startSmtpSinkOn(port: number): Promise<SmtpSink> {
  for (let i = 0; i < 20; i++) {
    const sink = await startSmtpSink(port).catch(() => undefined);
    if (sink) return sink;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`could not listen on ${port}`);
}

test('alert email uses STARTTLS and SMTP AUTH as configured', { timeout: 60_000 }, async (t) => {
  const { SMTPServer } = await import('smtp-server');
  const seen: Array<{ user: string | undefined; secure: boolean; to: string[] }> = [];
  const server = new SMTPServer({
    name: 'relay.outgate.test',
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 1000,
    onAuth(auth, _session, cb) {
      if (auth.username === 'outgate' && auth.password === 's3cret') cb(null, { user: auth.username });
      else cb(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
        seen.push({ user: session.user as string | undefined, secure: session.secure, to: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const dir = tempDataDir();
  const clock = new TestClock();
  const config = loadConfig({
    env: { OUTGATE_ALERTS_SMTP_USER: 'outgate', OUTGATE_ALERTS_SMTP_PASS: 's3cret' },
    overrides: {
      dataDir: dir,
      'policy.listen': '127.0.0.1:0',
      'milter.listen': '',
      'http.listen': '127.0.0.1:0',
      'alerts.smtp.host': '127.0.0.1',
      'alerts.smtp.port': (server.server.address() as AddressInfo).port,
      'alerts.smtp.requireTLS': true,
      // smtp-server's built-in certificate is self-signed.
      'alerts.smtp.rejectUnauthorized': false,
    },
  });
  const running = await startServer(config, { clock, log: pino({ level: 'silent' }) });
  t.after(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal((await runCli(dir, ['Set-ProtectionAlert', 'UserRestricted', '-NotifyUser', 'soc@corp.example'], {}, clock)).code, 0);
  await running.store.recordAudit([
    {
      at: clock.now(),
      tenantId: 'default',
      actor: { name: 'system', role: 'System', source: 'system', ip: null, tenantId: null },
      operation: 'SenderRestricted',
      target: 'Mailbox:tls@contoso.example',
      before: null,
      after: { Reason: 'r' },
      result: 'Succeeded',
    },
  ]);
  await running.alerts.runOnce();
  const alerts = JSON.parse((await ok(runCli(dir, ['Get-Alert', '--format', 'json'], {}, clock))).stdout) as AlertJson[];
  const detail = JSON.parse((await ok(runCli(dir, ['Get-Alert', alerts[0]!.Identity, '--format', 'json'], {}, clock))).stdout) as AlertJson;
  assert.deepEqual(seen, [{ user: 'outgate', secure: true, to: ['soc@corp.example'] }], JSON.stringify(detail.Notifications));
});
