// The Debian package on this machine: built, installed with apt, run the way its systemd unit runs it
// (the `outgate` user, the installed paths), asked a policy question, removed and purged without a trace.
// Needs root and apt: CI runs it on its own machine. It leaves a machine without outgate as it found it.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { clockEnv, testTimeline } from './support/outgate.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';
const POLICY_RC = '/usr/sbin/policy-rc.d';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: ROOT, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env }, timeout: 120_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function must(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await sh(file, args, env);
  assert.equal(r.code, 0, `${file} ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const installed = async (): Promise<boolean> => (await sh('dpkg-query', ['-W', '-f=${Status}', 'outgate'])).stdout === 'install ok installed';
const userExists = async (name: string): Promise<boolean> => (await sh('getent', ['passwd', name])).code === 0;

function freePort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

/** Runs the installed command as the unit does (User=outgate) and resolves once its policy server listens. */
function startInstalled(env: NodeJS.ProcessEnv, port: number, lines: Array<Record<string, unknown>>): Promise<ChildProcess> {
  const child = spawn('setpriv', ['--reuid=outgate', '--regid=outgate', '--init-groups', '--no-new-privs', '--', '/usr/bin/outgate', 'start'], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`the installed server did not listen within 30 s: ${stderr}`)), 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the installed server exited before listening (code ${code}, signal ${signal}): ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>; // every line is JSON: the journal keeps it as is
      lines.push(entry);
      if (entry.msg === 'policy server listening' && entry.listen === `127.0.0.1:${port}`) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        done(child);
      }
    });
  });
}

const skip =
  process.platform !== 'linux' || userInfo().uid !== 0
    ? 'needs root on Debian (CI runs it on its own machine)'
    : !existsSync('/usr/bin/apt-get') || !existsSync('/usr/bin/dpkg-deb')
      ? 'needs apt-get and dpkg-deb'
      : false;

test('the Debian package installs, runs as the outgate user on the installed paths, and removes and purges cleanly', { skip, timeout: 180_000 }, async (t) => {
  if (await installed()) return t.skip('outgate is installed on this machine: this test does not replace it');
  if (await userExists('outgate')) return t.skip('a user named outgate exists already: this test would remove it on purge');
  // Depends: nodejs can only be met by a dpkg-installed Node (Debian's, NodeSource's), not a tarball's.
  if ((await sh('dpkg-query', ['-S', process.execPath])).code !== 0)
    return t.skip(`${process.execPath} is not from a Debian package, so the package's Depends: nodejs cannot be met here`);

  // Build from the dist/ the other tests use (rebuilding would swap it under them), gzip for speed.
  const built = await must('bash', ['scripts/package-deb.sh', '--prebuilt'], { DEB_COMPRESS: 'gzip' });
  const deb = readdirSync(join(ROOT, 'dist')).find((f) => /^outgate_.+_.+\.deb$/.test(f));
  assert.ok(deb, `no dist/outgate_VERSION_ARCH.deb: ${built}`);
  const control = await must('dpkg-deb', ['-f', `dist/${deb}`, 'Depends']);
  assert.match(control, /nodejs \(>= 20\.19\), nodejs \(<< \d+\)/);

  // On a systemd machine postinst would start the service on the real ports: the test runs its own.
  const ownPolicyRc = !existsSync(POLICY_RC);
  if (ownPolicyRc) {
    writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n');
    chmodSync(POLICY_RC, 0o755);
  }
  t.after(async () => {
    if (await installed()) await sh('apt-get', ['purge', '-y', '-q', 'outgate']);
    if (ownPolicyRc) rmSync(POLICY_RC, { force: true });
  });
  await must('apt-get', ['install', '-y', '-q', '--no-install-recommends', `./dist/${deb}`]);
  assert.ok(await installed());
  assert.ok(await userExists('outgate'), 'postinst created the system user');
  const conffiles = await must('dpkg-query', ['-W', '-f=${Conffiles}', 'outgate']);
  assert.match(conffiles, /^ \/etc\/outgate\/outgate\.json [0-9a-f]{32}$/m, 'the config is a conffile');
  const outgateUid = Number((await must('id', ['-u', 'outgate'])).trim());
  assert.ok(outgateUid < 1000, `a system uid (${outgateUid})`);
  assert.equal(statSync('/var/lib/outgate').uid, outgateUid);
  assert.equal(statSync('/var/lib/outgate').mode & 0o777, 0o750);
  assert.equal(statSync('/etc/outgate/outgate.json').mode & 0o777, 0o640, 'the config may hold the SMTP password');

  if (existsSync('/usr/bin/systemd-analyze')) {
    const verify = await sh('systemd-analyze', ['verify', '/lib/systemd/system/outgate.service']);
    assert.equal(verify.code, 0, verify.stderr);
    // Other units on the machine may draw warnings; the package's own must draw none.
    assert.doesNotMatch(verify.stderr, /outgate\.service/, verify.stderr);
  } else {
    t.diagnostic('systemd-analyze is missing: the unit was not verified');
  }

  // A temp config on free ports, with the installed data directory, readable by the outgate user.
  const dir = mkdtempSync(join(tmpdir(), 'outgate-pkg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const config = join(dir, 'outgate.json');
  writeFileSync(config, JSON.stringify({ dataDir: '/var/lib/outgate', policy: { listen: `127.0.0.1:${port}` }, milter: { listen: '127.0.0.1:0' }, http: { listen: '127.0.0.1:0' } }));
  chmodSync(config, 0o644);
  const env = { OUTGATE_CONFIG: config, ...clockEnv(testTimeline) };

  // As root the installed command acts as the outgate user, so the store stays the service's.
  await must('/usr/bin/outgate', ['Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser'], env);
  const lines: Array<Record<string, unknown>> = [];
  const server = await startInstalled(env, port, lines);
  t.after(() => void server.kill('SIGKILL'));
  const c = await PolicyClient.open(port);
  assert.equal((await sendMessage(c, { login: 'julia@contoso.test', to: ['a@example.com'] })).end, 'action=DUNNO');
  assert.deepEqual((await sendMessage(c, { login: 'julia@contoso.test', to: ['b@example.com'] })).rcpt, [DENIED]);
  c.close();
  const blocked = JSON.parse(await must('/usr/bin/outgate', ['Get-BlockedSenderAddress', '--format', 'json'], env)) as Array<{ SenderAddress: string }>;
  assert.deepEqual(blocked.map((b) => b.SenderAddress), ['julia@contoso.test']);
  for (const f of readdirSync('/var/lib/outgate')) assert.equal(statSync(join('/var/lib/outgate', f)).uid, outgateUid, `${f} belongs to outgate`);
  assert.ok(lines.every((l) => typeof l.level === 'number' && typeof l.time === 'number'), 'pino JSON on stdout');

  const exited = new Promise<number | null>((done) => server.once('exit', (code) => done(code)));
  server.kill('SIGTERM');
  assert.equal(await exited, 0);

  // remove keeps the admin's config and the store; purge takes them, the state and the user.
  await must('apt-get', ['remove', '-y', '-q', 'outgate']);
  assert.equal(existsSync('/usr/lib/outgate'), false);
  assert.equal(existsSync('/usr/bin/outgate'), false);
  assert.ok(existsSync('/etc/outgate/outgate.json'), 'remove keeps the conffile');
  assert.ok(existsSync('/var/lib/outgate/outgate.db'), 'remove keeps the store');
  await must('apt-get', ['purge', '-y', '-q', 'outgate']);
  assert.equal(await installed(), false);
  assert.equal(existsSync('/etc/outgate'), false);
  assert.equal(existsSync('/var/lib/outgate'), false);
  assert.equal(await userExists('outgate'), false);
  assert.equal((await sh('getent', ['group', 'outgate'])).code, 2, 'the group went with the user');
  assert.equal(existsSync('/etc/systemd/system/multi-user.target.wants/outgate.service'), false);
  assert.equal(existsSync('/etc/systemd/system/outgate.service'), false, 'no mask left behind');
});
