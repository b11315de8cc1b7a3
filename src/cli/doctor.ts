// `outgate doctor`: asks the machine what is wrong with this Outgate (config, data directory, store,
// listeners, alert SMTP, the Postfix lines that point at it) and says how to fix each; exit 1 on a failure.
import { Command, CommanderError, Option } from 'commander';
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { verifyStoreFile } from '../adapters/store/sqlite/backup.js';
import { DB_FILE } from '../adapters/store/sqlite/database.js';
import { loadConfig, parseListen } from '../config/load.js';
import type { Config } from '../config/schema.js';

export type Status = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly check: string;
  readonly status: Status;
  readonly detail: string;
  /** What to do about it (absent when nothing is wrong). */
  readonly fix?: string;
}

const TIMEOUT_MS = 3_000;

export async function diagnose(): Promise<Finding[]> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (err) {
    return [{ check: 'config', status: 'fail', detail: (err as Error).message, fix: 'Correct the file named (OUTGATE_CONFIG, default ./outgate.json) or the OUTGATE_* variable.' }];
  }
  const out: Finding[] = [{ check: 'config', status: 'ok', detail: `valid (${process.env.OUTGATE_CONFIG ?? 'outgate.json or defaults'})` }];
  out.push(...dataDir(config.dataDir));
  const pid = serverPid(config.dataDir);
  out.push(...(await listeners(config, pid)));
  out.push(await alertSmtp(config));
  out.push(...(await postfix(config)));
  return out;
}

function dataDir(dir: string): Finding[] {
  if (!existsSync(dir)) return [{ check: 'data directory', status: 'fail', detail: `${dir} does not exist`, fix: `Create it for the service user: install -d -o outgate -g outgate -m 0750 ${dir}` }];
  const st = statSync(dir);
  if (!st.isDirectory()) return [{ check: 'data directory', status: 'fail', detail: `${dir} is not a directory`, fix: 'Point dataDir (OUTGATE_DATA_DIR) at a directory.' }];
  const out: Finding[] = [];
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    out.push({ check: 'data directory', status: 'ok', detail: `${dir} is writable` });
  } catch {
    out.push({ check: 'data directory', status: 'fail', detail: `${dir} is not writable by uid ${process.getuid?.()}`, fix: `chown -R outgate:outgate ${dir} (run Outgate and its commands as that user)` });
  }
  if (st.mode & 0o007) out.push({ check: 'data directory', status: 'warn', detail: `${dir} is open to every user (mode ${(st.mode & 0o777).toString(8)}): it holds the audit log`, fix: `chmod 0750 ${dir}` });
  const file = join(dir, DB_FILE);
  if (!existsSync(file)) {
    out.push({ check: 'store', status: 'warn', detail: `no store yet in ${dir}`, fix: 'outgate start creates it.' });
    return out;
  }
  try {
    const s = verifyStoreFile(file);
    out.push({ check: 'store', status: 'ok', detail: `schema ${s.schemaVersion}, audit chain intact (${s.auditRecords} records), ${s.restrictions} restricted` });
  } catch (err) {
    out.push({ check: 'store', status: 'fail', detail: (err as Error).message, fix: 'Restore the last good backup: systemctl stop outgate; outgate restore FILE (docs/operations.md).' });
  }
  return out;
}

/** The pid of a live server holding the data directory's lock, if any. */
function serverPid(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'outgate.pid'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

async function listeners(config: Readonly<Config>, pid: number | undefined): Promise<Finding[]> {
  const out: Finding[] = [];
  const listens: Array<readonly [string, string]> = [['policy.listen', config.policy.listen], ['http.listen', config.http.listen]];
  if (config.milter.listen !== '') listens.push(['milter.listen', config.milter.listen]);
  for (const [setting, listen] of listens) {
    const { host, port } = parseListen(listen);
    if (pid !== undefined) {
      out.push(
        (await reachable(host, port))
          ? { check: setting, status: 'ok', detail: `the server (pid ${pid}) answers on ${listen}` }
          : { check: setting, status: 'fail', detail: `a server runs (pid ${pid}) but nothing answers on ${listen}`, fix: 'Look at its log (journalctl -u outgate): it may still be starting, or listen elsewhere.' },
      );
    } else {
      const why = await bindable(host, port);
      out.push(
        why === null
          ? { check: setting, status: 'warn', detail: `no Outgate server runs; ${listen} is free for it`, fix: 'systemctl start outgate' }
          : { check: setting, status: 'fail', detail: `no Outgate server runs, and ${listen} cannot be opened: ${why}`, fix: `Stop what holds the port (ss -ltnp 'sport = :${port}') or change ${setting}.` },
      );
    }
  }
  return out;
}

async function alertSmtp(config: Readonly<Config>): Promise<Finding> {
  const smtp = config.alerts.smtp;
  if (smtp.host === '') return { check: 'alert SMTP', status: 'warn', detail: 'alerts.smtp.host is not set: alert email waits in the outbox', fix: 'Set alerts.smtp.host (and port, user, pass) in the config, then systemctl restart outgate.' };
  return (await reachable(smtp.host, smtp.port))
    ? { check: 'alert SMTP', status: 'ok', detail: `${smtp.host}:${smtp.port} accepts connections` }
    : { check: 'alert SMTP', status: 'fail', detail: `${smtp.host}:${smtp.port} cannot be reached`, fix: 'Check alerts.smtp.host/port and that a firewall lets this machine reach it.' };
}

/** The documented main.cf lines (docs/postfix/main.cf.snippet or milter.cf.snippet), when Postfix is on this machine. */
async function postfix(config: Readonly<Config>): Promise<Finding[]> {
  const names = ['smtpd_delay_reject', 'smtpd_sender_restrictions', 'smtpd_end_of_data_restrictions', 'smtpd_milters', 'milter_default_action'];
  const shown = await postconf(names);
  if (shown === undefined) return [{ check: 'postfix', status: 'ok', detail: 'postconf is not installed: Postfix checks skipped' }];
  if (shown instanceof Error) return [{ check: 'postfix', status: 'warn', detail: `postconf failed: ${shown.message}`, fix: 'Configure Postfix (main.cf), then run outgate doctor again.' }];
  const { host, port } = parseListen(config.policy.listen);
  const endpoint = `inet:${host}:${port}`;
  const asksPolicy = (name: string): string[] => [...(shown.get(name) ?? '').matchAll(/check_policy_service\s+(?:\{\s*)?(inet:[^\s,}]+)/g)].map((m) => m[1]!);
  const milterAt = config.milter.listen === '' ? undefined : parseListen(config.milter.listen);
  const milterEndpoint = milterAt && `inet:${milterAt.host}:${milterAt.port}`;
  const viaMilter = milterEndpoint !== undefined && (shown.get('smtpd_milters') ?? '').split(/[\s,]+/).includes(milterEndpoint);
  const viaPolicy = asksPolicy('smtpd_sender_restrictions').includes(endpoint) || asksPolicy('smtpd_end_of_data_restrictions').includes(endpoint);
  // One way in or the other (docs/postfix.md, "Never both for the same mail"): both would count every message twice.
  if (viaMilter && viaPolicy)
    return [{ check: 'postfix', status: 'fail', detail: `asks Outgate both as a policy service (${endpoint}) and as a milter (${milterEndpoint}): every message is counted twice`, fix: 'Keep one: remove the check_policy_service lines or the smtpd_milters entry, then postfix reload.' }];
  if (viaMilter) {
    const action = shown.get('milter_default_action') || 'tempfail';
    return [
      { check: 'postfix smtpd_milters', status: 'ok', detail: `asks ${milterEndpoint}` },
      action === 'tempfail' || action === 'reject'
        ? { check: 'postfix milter_default_action', status: 'ok', detail: `${action}: mail waits while Outgate cannot answer` }
        : { check: 'postfix milter_default_action', status: 'fail', detail: `is ${action}: while Outgate is down or slow, mail goes out unchecked`, fix: 'postconf -e milter_default_action=tempfail; postfix reload (docs/postfix/milter.cf.snippet).' },
    ];
  }
  const fix = `Add check_policy_service { ${endpoint}, timeout=10s } to it (docs/postfix/main.cf.snippet), then postfix reload${milterEndpoint ? `; or use the milter instead (smtpd_milters = ${milterEndpoint}, docs/postfix/milter.cf.snippet)` : ''}.`;
  const out: Finding[] = [];
  for (const name of ['smtpd_sender_restrictions', 'smtpd_end_of_data_restrictions']) {
    const targets = asksPolicy(name);
    out.push(
      targets.includes(endpoint)
        ? { check: `postfix ${name}`, status: 'ok', detail: `asks ${endpoint}` }
        : { check: `postfix ${name}`, status: 'fail', detail: targets.length ? `asks ${targets.join(', ')}, not this server (${endpoint})` : `has no check_policy_service for ${endpoint}`, fix },
    );
  }
  if (shown.get('smtpd_delay_reject') !== 'yes')
    out.push({ check: 'postfix smtpd_delay_reject', status: 'fail', detail: `is ${shown.get('smtpd_delay_reject') || 'unset'}: the sender restrictions are not asked per recipient`, fix: 'postconf -e smtpd_delay_reject=yes; postfix reload (docs/postfix.md says why).' });
  return out;
}

function postconf(names: readonly string[]): Promise<Map<string, string> | Error | undefined> {
  return new Promise((resolve) => {
    execFile('postconf', [...names], { timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(undefined);
      if (err) return resolve(new Error((stderr || err.message).trim().split('\n')[0]));
      const values = new Map<string, string>();
      let last = '';
      for (const line of stdout.split('\n')) {
        const m = /^(\w+)\s*=\s*(.*)$/.exec(line);
        if (m) values.set((last = m[1]!), m[2]!.trim());
        else if (last && line.trim()) values.set(last, `${values.get(last)} ${line.trim()}`);
      }
      resolve(values);
    });
  });
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: TIMEOUT_MS });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

/** null when host:port could be listened on now, else why not. */
function bindable(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' ? 'another program listens there' : err.message));
    srv.listen({ host, port }, () => srv.close(() => resolve(null)));
  });
}

/** The report as people read it, one line per finding and its fix. */
export function formatFindings(findings: readonly Finding[]): string {
  const tag: Record<Status, string> = { ok: '[ OK ]', warn: '[WARN]', fail: '[FAIL]' };
  return findings.map((f) => `${tag[f.status]} ${f.check}: ${f.detail}${f.fix ? `\n       fix: ${f.fix}` : ''}\n`).join('');
}

export function addDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check the config, data directory, store, listeners, alert SMTP and Postfix lines; say how to fix what is wrong. Exits 1 on a failure.')
    .addOption(new Option('--format <format>', 'Output format.').choices(['list', 'json']).default('list'))
    .action(async (o: { format: 'list' | 'json' }) => {
      const findings = await diagnose();
      process.stdout.write(o.format === 'json' ? `${JSON.stringify(findings, null, 2)}\n` : formatFindings(findings));
      // Warnings (not started yet, no SMTP host) leave exit 0: scripts fail only on what is broken.
      if (findings.some((f) => f.status === 'fail')) throw new CommanderError(1, 'outgate.doctor', 'outgate doctor found problems');
    });
}
