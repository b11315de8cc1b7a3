// outgate doctor against a running server and a broken setup: what it finds, the fix it prints, the exit code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fails, ok, runCli, tempDataDir } from './support/outgate.js';
import { exitOf, freePort, startProcess } from './support/server-process.js';

interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** A `postconf` first on PATH that prints what main.cf would show. */
function fakePostconf(dir: string, shown: string): NodeJS.ProcessEnv {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'postconf.out'), shown);
  writeFileSync(join(bin, 'postconf'), '#!/bin/sh\ncat "$(dirname "$0")/postconf.out"\n');
  chmodSync(join(bin, 'postconf'), 0o755);
  return { PATH: `${bin}:${process.env.PATH}` };
}

const mainCf = (port: number, delay = 'yes'): string =>
  `smtpd_delay_reject = ${delay}\nsmtpd_sender_restrictions = check_policy_service { inet:127.0.0.1:${port}, timeout=10s }\nsmtpd_end_of_data_restrictions =\n    check_policy_service { inet:127.0.0.1:${port}, timeout=10s }\n`;

const byCheck = (out: string): Map<string, Finding> => new Map((JSON.parse(out) as Finding[]).map((f) => [f.check, f]));

test('outgate doctor passes a running server that Postfix asks, and fails a broken setup with the fix for each problem', { timeout: 60_000 }, async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const milterPort = await freePort();
  const env = { OUTGATE_POLICY_LISTEN: `127.0.0.1:${port}`, OUTGATE_MILTER_LISTEN: `127.0.0.1:${milterPort}`, OUTGATE_HTTP_LISTEN: `127.0.0.1:${await freePort()}` };
  const server = await startProcess(dataDir, port, env);
  t.after(() => server.kill('SIGKILL'));

  const healthy = byCheck((await ok(runCli(dataDir, ['doctor', '--format', 'json'], { ...env, ...fakePostconf(dataDir, mainCf(port)) }))).stdout);
  for (const check of ['config', 'data directory', 'store', 'policy.listen', 'milter.listen', 'http.listen', 'postfix smtpd_sender_restrictions', 'postfix smtpd_end_of_data_restrictions']) {
    assert.equal(healthy.get(check)?.status, 'ok', `${check}: ${JSON.stringify(healthy.get(check))}`);
  }
  // Wired as a milter instead: fine with tempfail, wrong with accept, and never both ways at once.
  const milterCf = (action: string): string => `smtpd_delay_reject = yes\nsmtpd_milters = inet:127.0.0.1:${milterPort}\nmilter_default_action = ${action}\n`;
  const asMilter = byCheck((await ok(runCli(dataDir, ['doctor', '--format', 'json'], { ...env, ...fakePostconf(dataDir, milterCf('tempfail')) }))).stdout);
  assert.deepEqual([asMilter.get('postfix smtpd_milters')?.status, asMilter.get('postfix milter_default_action')?.status], ['ok', 'ok']);
  const accepting = await fails(runCli(dataDir, ['doctor'], { ...env, ...fakePostconf(dataDir, milterCf('accept')) }), 1);
  assert.match(accepting.stdout, /\[FAIL\] postfix milter_default_action: is accept: while Outgate is down or slow, mail goes out unchecked/);
  const both = await fails(runCli(dataDir, ['doctor'], { ...env, ...fakePostconf(dataDir, mainCf(port) + milterCf('tempfail').split('\n')[1]) }), 1);
  assert.match(both.stdout, /\[FAIL\] postfix: asks Outgate both as a policy service .* and as a milter .*: every message is counted twice/);
  assert.equal(healthy.get('alert SMTP')?.status, 'warn', 'no SMTP host is a warning, not a failure');
  assert.equal(await exitOf(server, 'SIGTERM'), 0);

  // Stopped, its port taken by another program, and Postfix pointed elsewhere.
  const squatter = createServer().listen(port, '127.0.0.1');
  t.after(() => squatter.close());
  await new Promise((r) => squatter.once('listening', r));
  const broken = await fails(runCli(dataDir, ['doctor'], { ...env, ...fakePostconf(dataDir, mainCf(port + 1, 'no')) }), 1);
  assert.match(broken.stdout, new RegExp(`\\[FAIL\\] policy.listen: no Outgate server runs, and 127.0.0.1:${port} cannot be opened: another program listens there\\n +fix: `));
  assert.match(broken.stdout, new RegExp(`\\[FAIL\\] postfix smtpd_sender_restrictions: asks inet:127.0.0.1:${port + 1}, not this server \\(inet:127.0.0.1:${port}\\)\\n +fix: Add check_policy_service \\{ inet:127.0.0.1:${port}, timeout=10s \\}`));
  assert.match(broken.stdout, /\[FAIL\] postfix smtpd_delay_reject: is no/);
  assert.match(broken.stdout, /\[ OK \] store: schema \d+, audit chain intact/);

  const badConfig = join(dataDir, 'bad.json');
  writeFileSync(badConfig, '{"policy": {"listen": "nowhere"}}');
  assert.match((await fails(runCli(dataDir, ['doctor'], { OUTGATE_CONFIG: badConfig }), 1)).stdout, /\[FAIL\] config: Configuration policy.listen/);
});
