// Outgate under test, started per the product's CLI contract (bin/outgate.js, OUTGATE_* env) with limits raised so the admit path is measured.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const outgate: ServerSpec = outgateAt(ROOT);

/** The build of Outgate in the tree at `root` (another checkout, for ab.ts), started the same way. */
export function outgateAt(root: string, name = 'outgate'): ServerSpec {
  const BIN = join(root, 'bin', 'outgate.js');
  const BUILT = join(root, 'dist', 'cli', 'main.js');
  return {
    name,
    config:
      '`node bin/outgate.js start`; Default policy RecipientLimitExternalPerHour=L, RecipientLimitInternalPerHour=L, RecipientLimitPerDay=L; ' +
      'serviceLimits messagesPerMinute=1e6, recipientsPerDay=1e6; data dir in the temp dir',
    async start(o: StartOptions) {
      if (!existsSync(BUILT)) throw new Error(`${BUILT} missing: Outgate is not built (cd ${root} && npm run build)`);
      const dir = makeTempDir('outgate');
      try {
        const port = await freePort();
        const config = join(dir, 'outgate.json');
        // Service-wide throttles far above anything a bench point can send, so only the per-sender path runs.
        writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
        const env = {
          ...process.env,
          OUTGATE_DATA_DIR: dir,
          OUTGATE_POLICY_LISTEN: `${HOST}:${port}`,
          OUTGATE_MILTER_LISTEN: '',
          OUTGATE_HTTP_LISTEN: `${HOST}:0`,
          OUTGATE_CONFIG: config,
        };
        const log = join(dir, 'outgate.log');
        const limit = String(o.recipientsPerHour);
        const set = spawnLogged(
          process.execPath,
          [
            BIN,
            'Set-HostedOutboundSpamFilterPolicy',
            '-Identity',
            'Default',
            '-RecipientLimitExternalPerHour',
            limit,
            '-RecipientLimitInternalPerHour',
            limit,
            '-RecipientLimitPerDay',
            limit,
          ],
          log,
          env,
        );
        const code = await waitExit(set, 30_000);
        if (code !== 0) throw new Error(`Set-HostedOutboundSpamFilterPolicy exited with ${code}: ${tail(log)}`);
        const child = spawnLogged(process.execPath, [BIN, 'start'], log, env);
        const pid = child.pid;
        if (pid === undefined) throw new Error('spawn failed');
        try {
          await waitReady(port, () => pid, 30_000);
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
}
