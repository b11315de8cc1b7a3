// kill -9 under load: every acknowledged count and every restriction survives, and a restart resumes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HANG_UP, PolicyClient, sendMessage } from './support/policy-client.js';
import { BIN, clockEnv, ok, runCli, tempDataDir, testTimeline } from './support/outgate.js';

const DUNNO = 'action=DUNNO';
const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `outgate start` and resolves once this very process says its policy server listens: a
 * connection test alone could reach another process that took the port after a kill -9.
 */
function start(dataDir: string, port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, ...clockEnv(testTimeline), ...env, OUTGATE_DATA_DIR: dataDir, OUTGATE_POLICY_LISTEN: `127.0.0.1:${port}`, OUTGATE_HTTP_LISTEN: '127.0.0.1:0', OUTGATE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('server did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { msg?: string; listen?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return; // not a log line
      }
      if (entry.msg === 'policy server listening' && entry.listen === `127.0.0.1:${port}`) {
        clearTimeout(timer);
        resolve(child);
      }
    });
  });
}

test('kill -9 during load loses no acknowledged count and no restriction; a restart resumes', async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = join(dataDir, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
  const env = { OUTGATE_CONFIG: config };
  const cli = (...a: string[]) => runCli(dataDir, a, env);
  assert.equal((await cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitPerDay', '10000')).code, 0);
  assert.equal((await cli('New-HostedOutboundSpamFilterPolicy', 'Tight', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser')).code, 0);
  assert.equal((await cli('New-HostedOutboundSpamFilterRule', 'Tight', '-HostedOutboundSpamFilterPolicy', 'Tight', '-SenderDomainIs', 'victim.test')).code, 0);

  const port = await freePort();
  let server = await start(dataDir, port, env);
  t.after(() => server.kill('SIGKILL'));

  const victim = await PolicyClient.open(port);
  assert.equal((await sendMessage(victim, { login: 'v@victim.test', to: ['a@example.com'] })).end, DUNNO);
  assert.deepEqual((await sendMessage(victim, { login: 'v@victim.test', to: ['b@example.com'] })).rcpt, [DENIED]);
  victim.close();

  const acked = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let stop = false;
  const worker = async (w: number): Promise<void> => {
    const c = await PolicyClient.open(port);
    for (let i = 0; !stop && i < 100_000; i++) {
      const login = `user${(w * 7 + i) % 40}@load.test`;
      const instance = `k${w}.${i}`;
      const common = { sasl_username: login, sender: login, instance };
      if ((await c.ask({ ...common, protocol_state: 'RCPT', recipient: 'x@example.com' })) !== DUNNO) break;
      inFlight.set(login, (inFlight.get(login) ?? 0) + 1);
      const end = await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: 'x@example.com', recipient_count: 1 });
      inFlight.set(login, inFlight.get(login)! - 1);
      if (end === HANG_UP) {
        inFlight.set(login, inFlight.get(login)! + 1); // unknown: may or may not have been committed
        break;
      }
      assert.equal(end, DUNNO);
      acked.set(login, (acked.get(login) ?? 0) + 1);
    }
    c.close();
  };
  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, 700 + Math.floor(Math.random() * 800)));
  server.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  const total = [...acked.values()].reduce((a, b) => a + b, 0);
  assert.ok(total > 100, `load ran (${total} messages acknowledged)`);
  t.diagnostic(`${total} messages acknowledged before kill -9`);

  // The restart applies what the journal holds before it serves; then the store must hold every
  // acknowledged send (and at most those that were in flight besides).
  server = await start(dataDir, port, env);
  const db = new Database(join(dataDir, 'outgate.db'), { readonly: true });
  const rows = db.prepare("SELECT identity, SUM(messages) AS m, SUM(external) AS e FROM sending_minutes WHERE identity LIKE '%@load.test' GROUP BY identity").all() as Array<{ identity: string; m: number; e: number }>;
  db.close();
  const stored = new Map(rows.map((r) => [r.identity, r.m]));
  for (const [login, n] of acked) {
    const s = stored.get(login) ?? 0;
    assert.ok(s >= n, `${login}: ${n} acknowledged, ${s} stored`);
    assert.ok(s <= n + (inFlight.get(login) ?? 0), `${login}: ${s} stored is more than acknowledged plus in flight`);
  }

  const after = await PolicyClient.open(port);
  t.after(() => after.close());
  assert.deepEqual((await sendMessage(after, { login: 'v@victim.test', to: ['c@example.com'] })).rcpt, [DENIED], 'restriction survived');
  const listed = JSON.parse((await ok(cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{ SenderAddress: string }>;
  assert.deepEqual(listed.map((x) => x.SenderAddress), ['v@victim.test']);
  assert.equal((await sendMessage(after, { login: 'user0@load.test', to: ['x@example.com'] })).end, DUNNO, 'resumes');
  server.kill('SIGTERM');
});
