// Ad-hoc: one shared node (PostgreSQL + Redis) under the cluster bench's load, with a CPU profile.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from '../../test/support/postgres.js';
import { startRedis } from '../../test/support/redis.js';
import { runLoad } from '../policy/load.js';
import { HOST, freePort, makeTempDir, waitReady } from '../policy/servers/common.js';

const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
const dir = makeTempDir('prof');
const config = join(dir, 'outgate.json');
writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
const env = { ...process.env, OUTGATE_DATABASE_URL: await pg.createDatabase(), OUTGATE_REDIS_URL: redis.url, OUTGATE_CONFIG: config, OUTGATE_LOG_LEVEL: 'warn', OUTGATE_DATA_DIR: dir };
const bin = join(import.meta.dirname, '../../bin/outgate.js');
const cli = (...a: string[]) => new Promise<void>((res) => spawn(process.execPath, [bin, ...a], { env, stdio: 'inherit' }).on('exit', () => res()));
await cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitInternalPerHour', '10000', '-RecipientLimitPerDay', '10000');
const port = await freePort();
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/profs', bin, 'start'], { env: { ...env, OUTGATE_POLICY_LISTEN: `${HOST}:${port}`, OUTGATE_HTTP_LISTEN: `${HOST}:${await freePort()}`, OUTGATE_MILTER_LISTEN: '' }, stdio: 'inherit' });
await waitReady(port, () => child.pid!, 30_000);
const r = await runLoad({ host: HOST, port, connections: 8, senders: 10_000, warmupMs: 1000, durationMs: 10_000 });
console.log(`${r.decisionsPerSec.toFixed(0)} decisions/s`);
child.kill('SIGINT');
await new Promise((res) => child.on('exit', res));
await redis.stop();
await pg.stop();
