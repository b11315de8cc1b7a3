// Debian baselines with a per-sasl_username recipient limit: postfwd 1.35 (postfwd1 and postfwd2) and policyd-rate-limit 1.0.1.1 on SQLite.
import { chownSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HOST,
  freePort,
  makeTempDir,
  removeDir,
  spawnLogged,
  stopper,
  tail,
  waitExit,
  waitReady,
  type ServerSpec,
  type StartOptions,
} from './common.js';

const NOBODY = { uid: 65534, gid: 65534, user: 'nobody', group: 'nogroup' };
/** Debian's /etc/default/postfwd ARGS; --perfmon added because there is no syslog socket here and per-request syslog calls would fail. */
const DEBIAN_POSTFWD_ARGS = ['--summary=600', '--cache=600', '--cache-rdomain-only', '--cache-no-size', '--perfmon'];

/** Counts recipient_count per sasl_username at END-OF-MESSAGE (postfwd: rcpt() is reliable only at DATA/EOM). */
function postfwdRules(limit: number): string {
  return [
    '# per-sasl_username recipient limit per hour, counted at END-OF-MESSAGE',
    'id=RCPTLIMIT; protocol_state==END-OF-MESSAGE; sasl_username=~.',
    `    action=rcpt(sasl_username/${limit}/3600/REJECT limit of ${limit} recipients per hour for $$sasl_username exceeded)`,
    '',
  ].join('\n');
}

function postfwd(version: 1 | 2): ServerSpec {
  const bin = `/usr/sbin/postfwd${version}`;
  return {
    name: `postfwd${version}`,
    config:
      `${bin} (Debian 1.35${version === 2 ? ', the default /usr/sbin/postfwd alternative, preforking' : ', single process'}): ` +
      'rule `protocol_state==END-OF-MESSAGE; sasl_username=~.` → `rcpt(sasl_username/L/3600/REJECT …)`; Debian default args + --perfmon',
    async start(o: StartOptions) {
      const dir = makeTempDir(`postfwd${version}`);
      try {
        // postfwd drops to nobody: the pid file and postfwd2's cache socket need a directory nobody can write.
        chmodSync(dir, 0o755);
        const run = join(dir, 'run');
        mkdirSync(run);
        chownSync(run, NOBODY.uid, NOBODY.gid);
        const cf = join(dir, 'postfwd.cf');
        writeFileSync(cf, postfwdRules(o.recipientsPerHour));
        const port = await freePort();
        const pidFile = join(run, 'postfwd.pid');
        const args = [
          ...DEBIAN_POSTFWD_ARGS,
          ...(version === 1 ? ['--daemon'] : ['--cache_proto', 'unix', '--cache_port', join(run, 'cache.sock')]),
          '--file',
          cf,
          '--interface',
          HOST,
          '--port',
          String(port),
          '--user',
          NOBODY.user,
          '--group',
          NOBODY.group,
          '--pidfile',
          pidFile,
        ];
        const log = join(dir, 'postfwd.log');
        // Both daemonize (Type=forking in Debian's unit): the launcher exits, the pid file names the master.
        const code = await waitExit(spawnLogged(bin, args, log), 15_000);
        if (code !== 0) throw new Error(`${bin} exited with ${code}: ${tail(log)}`);
        let pid: number | null = null;
        const readPid = (): number | null => {
          if (pid === null && existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8').trim()) || null;
          return pid;
        };
        await waitReady(port, readPid, 15_000);
        const root = readPid();
        if (root === null) throw new Error(`no pid file ${pidFile}`);
        return { port, pid: root, stop: stopper(root, dir) };
      } catch (e) {
        removeDir(dir);
        throw e;
      }
    },
  };
}

export const postfwd1 = postfwd(1);
export const postfwd2 = postfwd(2);

export const policydRateLimit: ServerSpec = {
  name: 'policyd-rate-limit',
  config:
    '/usr/bin/policyd-rate-limit (Debian 1.0.1.1, Python, SQLite in the temp dir): limit_by_sasl, `limits: [[L, 3600]]`; ' +
    'counts one row per RCPT request (= recipients), answers dunno without DB work at END-OF-MESSAGE',
  async start(o: StartOptions) {
    const dir = makeTempDir('policyd');
    try {
      const port = await freePort();
      const yaml = join(dir, 'policyd-rate-limit.yaml');
      // Runs as root with user/group root so it does not chown the temp dir; otherwise Debian's defaults.
      writeFileSync(
        yaml,
        [
          'debug: False',
          'user: "root"',
          'group: "root"',
          `pidfile: "${join(dir, 'policyd-rate-limit.pid')}"`,
          'backend: 0',
          'sqlite_config:',
          `    database: "${join(dir, 'db.sqlite3')}"`,
          `SOCKET: ["${HOST}", ${port}]`,
          'limits:',
          `    - [${o.recipientsPerHour}, 3600]`,
          'limits_by_id: {}',
          'limit_by_sasl: True',
          'limit_by_sender: False',
          'limit_by_ip: False',
          'success_action: "dunno"',
          'fail_action: "defer_if_permit Rate limit reach, retry later"',
          'db_error_action: "dunno"',
          'report: False',
          '',
        ].join('\n'),
      );
      const log = join(dir, 'policyd.log');
      // It stays in the foreground (Type=simple in Debian's unit), so the child PID is the server.
      const child = spawnLogged('/usr/bin/policyd-rate-limit', ['--file', yaml], log);
      const pid = child.pid;
      if (pid === undefined) throw new Error('spawn failed');
      try {
        await waitReady(port, () => pid, 15_000);
      } catch (e) {
        const why = `${(e as Error).message}: ${tail(log)}`;
        await stopper(pid, dir, 'SIGINT')();
        throw new Error(why);
      }
      // Debian's unit stops it with SIGINT (KeyboardInterrupt path removes the pid file).
      return { port, pid, stop: stopper(pid, dir, 'SIGINT') };
    } catch (e) {
      removeDir(dir);
      throw e;
    }
  },
};
