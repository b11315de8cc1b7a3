// Runs a real, private Postfix instance on loopback (own config, queue and data dirs) for integration tests.
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface PostfixUser {
  /** SASL login; "alice@outgate.test" is stored as user "alice" in realm "outgate.test". */
  user: string;
  password: string;
}

export interface StartPostfixOptions {
  policyPort: number;
  /** Port of the SMTP sink on 127.0.0.1 that receives every admitted message. */
  relayPort: number;
  /** Policy main.cf lines; default docs/postfix/main.cf.snippet. "127.0.0.1:10040" is rewritten to policyPort. */
  snippet?: string;
  users?: PostfixUser[];
  /** Which clients Postfix trusts; default ["127.0.0.0/8"]. Use e.g. ["192.0.2.0/24"] to make loopback untrusted. */
  mynetworks?: string[];
  /** Extra main.cf lines appended last (they win over everything above). */
  extraMainCf?: string;
  /** postconf warnings (e.g. "unused parameter", usually a typo) fail the start unless this is true. */
  allowConfigWarnings?: boolean;
}

export interface PostfixInstance {
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** The instance's maillog; still available after stop(). */
  log(): Promise<string>;
}

const HOSTNAME = 'mx.outgate.test';
const DEFAULT_SNIPPET = new URL('../../docs/postfix/main.cf.snippet', import.meta.url);
// Set OUTGATE_KEEP_POSTFIX=1 to keep instance directories for post-mortem debugging.
const KEEP = process.env.OUTGATE_KEEP_POSTFIX === '1';
const live = new Map<string, string>(); // config dir -> instance dir, for emergency cleanup at exit

export async function startPostfix(opts: StartPostfixOptions): Promise<PostfixInstance> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      // The free port is probed, then released, then bound by Postfix; a parallel test may win that race.
      if (attempt >= 3 || !String(err).includes('Address already in use')) throw err;
    }
  }
}

async function startOnce(opts: StartPostfixOptions): Promise<PostfixInstance> {
  checkOptions(opts);
  // Postfix daemons run as user postfix: every parent of their files must be enterable by it (mkdtemp is 0700).
  const dir = await mkdtemp('/tmp/outgate-postfix-');
  await chmod(dir, 0o755);
  const etc = path.join(dir, 'etc');
  const maillog = path.join(dir, 'maillog');
  await mkdir(path.join(etc, 'sasl'), { recursive: true, mode: 0o755 });
  await mkdir(path.join(dir, 'queue'), { mode: 0o755 });
  await mkdir(path.join(dir, 'data'), { mode: 0o700 });
  await must('chown', ['postfix', path.join(dir, 'data')]);

  const port = await freePort();
  const snippet = (opts.snippet ?? (await readFile(DEFAULT_SNIPPET, 'utf8'))).replaceAll('127.0.0.1:10040', `127.0.0.1:${opts.policyPort}`);
  await writeFile(path.join(etc, 'main.cf'), mainCf(dir, opts) + `\n${snippet}\n${opts.extraMainCf ?? ''}\n`);
  await writeFile(path.join(etc, 'master.cf'), masterCf(port));
  await writeSasl(etc, opts.users ?? []);

  live.set(etc, dir);
  const instance = makeInstance(dir, etc, port, maillog);
  try {
    // postconf reports syntax errors and misspelt parameters on stderr; "postfix check" only exits 1
    // silently, since it cannot log before it has parsed main.cf.
    const conf = await run('postconf', ['-c', etc, '-n'], 30_000);
    if (conf.code !== 0 || (conf.stderr && !opts.allowConfigWarnings)) throw new Error(`postconf rejected main.cf:\n${conf.stderr}`);
    const check = await run('postfix', ['-c', etc, 'check'], 30_000);
    if (check.code !== 0) throw new Error(`postfix check failed:\n${check.out}`);
    const start = await run('postfix', ['-c', etc, 'start'], 30_000);
    if (start.code !== 0) throw new Error(`postfix start failed:\n${start.out}`);
    await waitForBanner(port, 15_000);
    return instance;
  } catch (err) {
    const log = await instance.log();
    await instance.stop();
    throw new Error(`${(err as Error).message}\n--- maillog (${dir}) ---\n${log}`);
  }
}

function checkOptions(opts: StartPostfixOptions): void {
  for (const p of [opts.policyPort, opts.relayPort]) {
    if (!Number.isInteger(p) || p <= 0 || p > 65535) throw new Error(`startPostfix: bad port ${p}`);
  }
  // These values are pasted into main.cf / argv; reject anything that could smuggle extra settings.
  for (const n of opts.mynetworks ?? []) {
    if (!/^[0-9a-fA-F.:/[\]]+$/.test(n)) throw new Error(`startPostfix: bad mynetworks entry ${n}`);
  }
  for (const u of opts.users ?? []) {
    if (!/^[^\s@]+(@[^\s@]+)?$/.test(u.user) || /[\r\n]/.test(u.password)) {
      throw new Error(`startPostfix: bad SASL user ${JSON.stringify(u.user)}`);
    }
  }
}

function mainCf(dir: string, opts: StartPostfixOptions): string {
  const mynetworks = (opts.mynetworks ?? ['127.0.0.0/8']).join(' ');
  return `# Private Outgate test instance, generated by test/support/postfix.ts
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
# Every postfix command exits 1 silently if maillog_file is not under one of these prefixes.
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
myhostname = ${HOSTNAME}
mydomain = outgate.test
myorigin = $mydomain
# Nothing is delivered locally: every domain, bounces included, goes to the sink.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:5.1.1 local delivery disabled in test instance
relayhost = [127.0.0.1]:${opts.relayPort}
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = ${mynetworks}
# No DNS anywhere: the test machine may have no resolver at all.
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_security_options = noanonymous
broken_sasl_auth_clients = yes
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
# Test speed: no tarpit after rejections, and retries within a second or two.
smtpd_error_sleep_time = 0s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 5s
biff = no
append_dot_mydomain = no
`;
}

function masterCf(port: number): string {
  // chroot "n" everywhere: a chrooted daemon could not see the sasldb or the temp dirs.
  const services = [
    `127.0.0.1:${port} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'tlsmgr unix - - n 1000? 1 tlsmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'proxywrite unix - - n - 1 proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    // postlogd writes maillog_file; without it daemons' log lines are lost.
    'postlog unix-dgram n - n - 1 postlogd',
  ];
  return `# generated by test/support/postfix.ts\n${services.join('\n')}\n`;
}

async function writeSasl(etc: string, users: PostfixUser[]): Promise<void> {
  const db = path.join(etc, 'sasldb2');
  // Debian's Postfix makes Cyrus read $config_directory/sasl/<smtpd_sasl_path>.conf.
  await writeFile(
    path.join(etc, 'sasl', 'smtpd.conf'),
    `pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: ${db}\n`,
  );
  for (const { user, password } of users) {
    // Cyrus splits a login "alice@outgate.test" into user "alice", realm "outgate.test" before the
    // sasldb lookup; a login without "@" gets the server's realm, which defaults to myhostname.
    const at = user.lastIndexOf('@');
    const [name, realm] = at < 0 ? [user, HOSTNAME] : [user.slice(0, at), user.slice(at + 1)];
    await must('saslpasswd2', ['-p', '-c', '-f', db, '-u', realm, name], password);
  }
  if (users.length > 0) {
    await must('chown', ['root:postfix', db]);
    await chmod(db, 0o640);
  }
}

function makeInstance(dir: string, etc: string, port: number, maillog: string): PostfixInstance {
  let stopping: Promise<void> | undefined;
  let finalLog: string | undefined;
  const log = async () => finalLog ?? (await readFile(maillog, 'utf8').catch(() => ''));
  return {
    port,
    dir,
    log,
    stop() {
      stopping ??= (async () => {
        await run('postfix', ['-c', etc, 'stop'], 20_000);
        // "postfix status" asks master's lock, unlike kill(pid, 0), which a never-reaped zombie passes.
        if ((await run('postfix', ['-c', etc, 'status'], 10_000)).code === 0) {
          await run('postfix', ['-c', etc, 'abort'], 10_000);
        }
        finalLog = await log();
        live.delete(etc);
        if (!KEEP) await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      })();
      return stopping;
    },
  };
}

// A crashed or forgetful test must not leave Postfix masters running: abort only the instances we started.
process.once('exit', () => {
  for (const [etc, dir] of live) {
    try {
      execFileSync('postfix', ['-c', etc, 'abort'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // best effort: the process is exiting anyway
    }
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForBanner(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await bannerOnce(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Postfix smtpd on 127.0.0.1:${port} gave no 220 banner within ${timeoutMs} ms`);
}

function bannerOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d) => {
      const ok = d.toString().startsWith('220');
      if (ok) sock.write('QUIT\r\n');
      // Let QUIT leave before closing, so smtpd logs a clean disconnect rather than a lost connection.
      setTimeout(() => done(ok), 20);
    });
  });
}

async function must(cmd: string, args: string[], input?: string): Promise<void> {
  const r = await run(cmd, args, 30_000, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${r.out}`);
}

function run(cmd: string, args: string[], timeoutMs: number, input?: string) {
  return new Promise<{ code: number | null; out: string; stderr: string }>((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((out += d), (stderr += d)));
    child.on('error', (err) => resolve({ code: null, out: `cannot run ${cmd}: ${err.message}`, stderr: err.message }));
    child.on('close', (code) => resolve({ code, out, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
