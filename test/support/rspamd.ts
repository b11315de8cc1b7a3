// A throwaway Rspamd (Debian's package) on a free loopback port: its own config, run and db dirs, no
// system service, no DNS (a dead local resolver) and no Hyperscan, so it starts in seconds. GTUBE
// needs no rules: Rspamd rejects it by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RspamdInstance {
  url: string;
  stop(): Promise<void>;
}

/** The GTUBE line: any Rspamd judges a message with it spam (action reject). */
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

export async function startRspamd(): Promise<RspamdInstance> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      // The free port is probed, then released, then bound by Rspamd; a parallel test may win that race.
      if (attempt >= 3) throw err;
    }
  }
}

async function startOnce(): Promise<RspamdInstance> {
  const dir = await mkdtemp(path.join(tmpdir(), 'outgate-rspamd-'));
  const port = await freePort();
  const conf = path.join(dir, 'rspamd.conf');
  await writeFile(
    conf,
    `options {
  pidfile = "${dir}/rspamd.pid";
  dns { nameserver = ["127.0.0.1:1"]; timeout = 0.1s; retransmits = 1; }
  filters = "";
  disable_hyperscan = true;
}
logging { type = "console"; level = "error"; }
actions { reject = 15; add_header = 6; greylist = 4; }
worker "normal" { bind_socket = "127.0.0.1:${port}"; count = 1; task_timeout = 8s; }
`,
  );
  const vars = ['DBDIR', 'RUNDIR', 'LOGDIR'].flatMap((v) => ['--var', `${v}=${dir}`]);
  const child: ChildProcess = spawn('rspamd', ['-f', '-i', '-c', conf, ...vars], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: dir } });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => undefined);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(late);
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready when it answers /ping; a process that exits first has failed (its stderr says why).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`rspamd exited before answering (run scripts/ensure-packages.sh if it is missing):\n${stderr}`);
    }
    const pong = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.text(), () => '');
    if (pong.trim() === 'pong') return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`rspamd did not answer /ping within 60 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
