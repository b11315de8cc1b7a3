// Milter pieces of the Postfix bench: the shipped milter snippet pointed at a port, a readiness probe
// (one real option negotiation), and the do-nothing milter started as its own Node process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MilterClient, mta } from '../../src/adapters/milter/client.js';
import { alive, stopTree } from '../policy/proc.js';
import { HOST, freePort, makeTempDir, removeDir, spawnLogged, tail, type RunningServer } from '../policy/servers/common.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SNIPPET = join(ROOT, 'docs', 'postfix', 'milter.cf.snippet');
const SHIPPED_ADDRESS = '127.0.0.1:10041';

/** docs/postfix/milter.cf.snippet as shipped, with its address set to the milter's port. */
export function milterSnippet(port: number): string {
  const text = readFileSync(SNIPPET, 'utf8');
  if (!text.includes(SHIPPED_ADDRESS)) throw new Error(`${SNIPPET} no longer holds ${SHIPPED_ADDRESS}: update the bench`);
  return text.replaceAll(SHIPPED_ADDRESS, `${HOST}:${port}`);
}

/** One option negotiation as Postfix opens it; a listening socket alone does not prove readiness. */
export async function milterProbe(port: number, timeoutMs = 2_000): Promise<void> {
  const c = await MilterClient.open(port, HOST);
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await Promise.race([
      c.ask(mta.optneg()),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no OPTNEG reply')), timeoutMs))),
    ]);
    if (reply.kind !== 'optneg') throw new Error(`OPTNEG answered with ${reply.kind}`);
  } finally {
    clearTimeout(timer);
    await c.close();
  }
}

/** Polls the probe until it succeeds; gives up early if the process died. */
export async function waitMilterReady(port: number, pid: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'not started';
  while (Date.now() < until) {
    if (!alive(pid)) throw new Error(`process ${pid} exited before its milter was ready`);
    try {
      await milterProbe(port);
      return;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`milter not ready after ${timeoutMs} ms (${last})`);
}

/** bench/postfix/do-nothing-milter.ts in its own Node process, like every other server of the benches. */
export async function startDoNothingMilter(): Promise<RunningServer> {
  const dir = makeTempDir('do-nothing-milter');
  try {
    const port = await freePort();
    const log = join(dir, 'do-nothing-milter.log');
    const script = fileURLToPath(new URL('./do-nothing-milter.ts', import.meta.url));
    // tsx only transpiles at load time; the packet path is plain V8.
    const child = spawnLogged(process.execPath, ['--import', 'tsx', script, `${HOST}:${port}`], log, process.env, ROOT);
    const pid = child.pid;
    if (pid === undefined) throw new Error('spawn failed');
    const stop = async () => {
      await stopTree(pid, 'SIGTERM');
      removeDir(dir);
    };
    try {
      await waitMilterReady(port, pid, 15_000);
    } catch (e) {
      const why = `${(e as Error).message}: ${tail(log)}`;
      await stop();
      throw new Error(why);
    }
    return { port, pid, stop };
  } catch (e) {
    removeDir(dir);
    throw e;
  }
}
