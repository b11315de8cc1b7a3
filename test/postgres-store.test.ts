// Outgate on PostgreSQL end to end: the real `outgate start` and cmdlets from another machine's point of
// view (their own empty data directories), sharing only OUTGATE_DATABASE_URL. A restriction made by the
// server is listed and lifted by a cmdlet, and the server admits the sender again on the change feed;
// with store.redisUrl naming a Redis Cluster, the counters live there.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, test, type TestContext } from 'node:test';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { BIN, clockEnv, ok, runCli, tempDataDir, testTimeline } from './support/outgate.js';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.js';
import { startRedisCluster } from './support/redis.js';
import { RedisConnection } from '../src/adapters/store/redis/connection.js';
import { DEFAULT_PREFIX, windowsKey } from '../src/adapters/store/redis/keys.js';
import { senderKey } from '../src/domain/sender.js';

const DUNNO = 'action=DUNNO';
const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';

let pg: ThrowawayPostgres;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `outgate start` on the database, resolved once its policy server listens, or with its exit. */
function start(t: TestContext, url: string, port: number, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; exit: Promise<{ code: number | null; stderr: string }> }> {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { ...process.env, ...clockEnv(testTimeline), OUTGATE_DATA_DIR: dataDir, OUTGATE_DATABASE_URL: url, OUTGATE_POLICY_LISTEN: `127.0.0.1:${port}`, OUTGATE_MILTER_LISTEN: '127.0.0.1:0', OUTGATE_HTTP_LISTEN: '127.0.0.1:0', OUTGATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return new Promise((resolve, reject) => {
    void exit.then((e) => resolve({ child, exit: Promise.resolve(e) }));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string };
        if (entry.msg === 'policy server listening') resolve({ child, exit });
      } catch {
        // not a log line
      }
    });
    setTimeout(() => reject(new Error('server did not start within 30 s')), 30_000).unref();
  });
}

/** The Redis the cmdlets share with the server, when a test has one. */
let redisUrl: string | undefined;

/** A cmdlet on its own empty data directory: everything it sees comes from the database. */
async function cli(t: TestContext, url: string, ...args: string[]) {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  return runCli(dataDir, args, { OUTGATE_DATABASE_URL: url, ...(redisUrl ? { OUTGATE_REDIS_URL: redisUrl } : {}) });
}

test('outgate start and cmdlets on OUTGATE_DATABASE_URL: restrict, list, unblock, admitted again, audit intact', { timeout: 60_000 }, async (t) => {
  const url = await pg.createDatabase();
  // The first cmdlet on an empty database migrates it and sets up the default tenant.
  await ok(cli(t, url, 'Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
  const port = await freePort();
  const { child } = await start(t, url, port);
  assert.equal(child.exitCode, null, 'the server runs');

  const c = await PolicyClient.open(port);
  t.after(() => c.close());
  assert.equal((await sendMessage(c, { login: 'mallory@outgate.test', to: ['a@example.com'] })).end, DUNNO);
  assert.deepEqual((await sendMessage(c, { login: 'mallory@outgate.test', to: ['b@example.com'] })).rcpt, [DENIED]);

  const blocked = JSON.parse((await ok(cli(t, url, 'Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{ SenderAddress: string }>;
  assert.deepEqual(blocked.map((b) => b.SenderAddress), ['mallory@outgate.test']);
  await ok(cli(t, url, 'Remove-BlockedSenderAddress', 'mallory@outgate.test', '-Reason', 'reset password'));

  // The unblock reaches the server through NOTIFY: asked until admitted, within a second.
  const deadline = Date.now() + 1_000;
  let answer = '';
  while ((answer = (await c.ask({ sasl_username: 'mallory@outgate.test', sender: 'mallory@outgate.test', instance: 'after-unblock', protocol_state: 'RCPT', recipient: 'c@example.com', recipient_count: 0, client_address: '127.0.0.1' }))) !== DUNNO && Date.now() < deadline);
  assert.equal(answer, DUNNO, 'admitted again after the unblock, on the server that did not make it');

  const integrity = JSON.parse((await ok(cli(t, url, 'Test-AuditLogIntegrity', '--format', 'json'))).stdout) as { ok: boolean; records: number };
  assert.equal(integrity.ok, true, JSON.stringify(integrity));
  const ops = (JSON.parse((await ok(cli(t, url, 'Search-AdminAuditLog', '--format', 'json'))).stdout) as Array<{ Operation: string }>).map((e) => e.Operation).reverse();
  assert.deepEqual(ops.filter((o) => o === 'SenderRestricted' || o === 'Remove-BlockedSenderAddress'), ['SenderRestricted', 'Remove-BlockedSenderAddress']);
});

test('a second `outgate start` on the same database without Redis is refused: limits would not hold across nodes', { timeout: 60_000 }, async (t) => {
  const url = await pg.createDatabase();
  await start(t, url, await freePort());
  const second = await start(t, url, await freePort());
  const { code, stderr } = await second.exit;
  assert.notEqual(code, 0);
  assert.match(stderr, /OG_ERR_CONFIG_INVALID: .*OUTGATE_REDIS_URL/);
});

test('`outgate start` on a 3-shard Redis Cluster named by redis+cluster://: limits held in the cluster', { timeout: 90_000 }, async (t) => {
  const cluster = await startRedisCluster(3);
  t.after(() => cluster.stop());
  const url = await pg.createDatabase();
  // Two of the three nodes: the client learns the third and the slot map from them.
  redisUrl = `redis+cluster://${cluster.nodes.slice(0, 2).map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  t.after(() => (redisUrl = undefined));
  await ok(cli(t, url, 'Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '2'));
  const port = await freePort();
  const { child } = await start(t, url, port, { OUTGATE_REDIS_URL: redisUrl });
  assert.equal(child.exitCode, null, 'the server runs');

  const c = await PolicyClient.open(port);
  t.after(() => c.close());
  assert.equal((await sendMessage(c, { login: 'carol@outgate.test', to: ['a@example.com'] })).end, DUNNO);
  assert.deepEqual((await sendMessage(c, { login: 'carol@outgate.test', to: ['b@example.com', 'c@example.com'] })).rcpt, [DUNNO, DENIED]);

  const redis = await RedisConnection.open({ cluster: cluster.rootNodes });
  t.after(() => redis.close());
  const key = windowsKey(DEFAULT_PREFIX, senderKey({ tenantId: 'default', type: 'Mailbox', identity: 'carol@outgate.test' }));
  assert.equal(await redis.command<number>(key, ['EXISTS', key]), 1, "carol's windows live in the cluster");
  // A cmdlet's unblock resets the windows in the cluster too: carol sends again.
  await ok(cli(t, url, 'Remove-BlockedSenderAddress', 'carol@outgate.test', '-Reason', 'checked'));
  const deadline = Date.now() + 2_000;
  let answer = '';
  while ((answer = (await sendMessage(c, { login: 'carol@outgate.test', to: ['d@example.com'] })).rcpt[0]!) !== DUNNO && Date.now() < deadline);
  assert.equal(answer, DUNNO);
});
