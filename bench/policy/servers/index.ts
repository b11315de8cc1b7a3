// Registry of benchmarked servers; do-nothing runs as its own Node process, like every other server.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policydRateLimit, postfwd1, postfwd2 } from './baselines.js';
import { HOST, freePort, makeTempDir, removeDir, spawnLogged, stopper, tail, waitReady, type ServerSpec } from './common.js';
import { outgate } from './outgate.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const doNothing: ServerSpec = {
  name: 'do-nothing',
  config:
    'bench/policy/servers/do-nothing.ts: one Node process, scans for the empty line, answers action=DUNNO; no limit (the 1.0× reference)',
  async start() {
    const dir = makeTempDir('do-nothing');
    try {
      const port = await freePort();
      const log = join(dir, 'do-nothing.log');
      // tsx only transpiles at load time; the request path is plain V8.
      const child = spawnLogged(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./do-nothing.ts', import.meta.url)), `${HOST}:${port}`],
        log,
        process.env,
        ROOT,
      );
      const pid = child.pid;
      if (pid === undefined) throw new Error('spawn failed');
      try {
        await waitReady(port, () => pid, 15_000);
      } catch (e) {
        const why = `${(e as Error).message}: ${tail(log)}`;
        await stopper(pid, dir)();
        throw new Error(why);
      }
      return { port, pid, stop: stopper(pid, dir) };
    } catch (e) {
      removeDir(dir);
      throw e;
    }
  },
};

export const SERVERS: readonly ServerSpec[] = [doNothing, outgate, postfwd2, postfwd1, policydRateLimit];
