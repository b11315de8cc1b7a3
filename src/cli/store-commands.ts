// `outgate backup FILE`, `outgate restore FILE` and `outgate migrate-store --to URL`: the embedded
// store's backup, restore and move to PostgreSQL, as commands beside `start` (they act on the data
// directory's files, not through the cmdlets' store).
import { Command, Option } from 'commander';
import type { MigrateProgress } from '../adapters/store/migrate-store.js';
import { redisTarget } from '../adapters/store/redis/target.js';
import { backupStore, restoreStore } from '../adapters/store/sqlite/backup.js';
import { clockFromEnv } from '../adapters/clock/clock.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { Errors, fail } from '../errors.js';
import { render, type OutputFormat } from './format.js';

export function addStoreCommands(program: Command): void {
  program
    .command('backup')
    .description('Copy the store to FILE while the server runs (SQLite online backup plus the journaled sends), then verify the copy.')
    .argument('<file>', 'Where to write the backup (replaced if it exists).')
    .addOption(formatOption())
    .action(async (file: string, o: { format: OutputFormat }) => {
      const config = embedded(loadConfig());
      const s = await backupStore(config.dataDir, file);
      process.stdout.write(
        render(
          { Backup: s.file, Verified: true, SchemaVersion: s.schemaVersion, AuditRecords: s.auditRecords, AuditHead: s.auditHead, RestrictedEntities: s.restrictions, Senders: s.senders, Messages: s.messages, JournalSends: s.journalSends, JournalDamaged: s.journalDamaged },
          o.format,
          undefined,
        ),
      );
      if (s.journalDamaged > 0) process.stderr.write(`WARNING: ${s.journalDamaged} damaged send journal line(s) were left out, as the server's own recovery does.\n`);
    });
  program
    .command('restore')
    .description('Replace the store with a backup: refused while a server runs on the data directory, and unless the file verifies (Outgate schema, audit chain).')
    .argument('<file>', 'A file written by outgate backup.')
    .addOption(formatOption())
    .action((file: string, o: { format: OutputFormat }) => {
      const config = embedded(loadConfig());
      const stamp = new Date(clockFromEnv().now()).toISOString().replace(/[:.]/g, '-');
      const s = restoreStore(config.dataDir, file, stamp);
      process.stdout.write(
        render(
          { Restored: s.file, From: file, Verified: true, SchemaVersion: s.schemaVersion, AuditRecords: s.auditRecords, AuditHead: s.auditHead, RestrictedEntities: s.restrictions, Senders: s.senders, Messages: s.messages, PreviousStore: s.previous ?? '' },
          o.format,
          undefined,
        ),
      );
    });
  program
    .command('migrate-store')
    .description('Copy this embedded install into an empty PostgreSQL database (and its counter windows into Redis): refused while a server runs on the data directory; one transaction, verified before it commits.')
    .requiredOption('--to <url>', 'postgres://… of an empty database: what the nodes will use as store.databaseUrl.')
    .option('--redis <url>', 'redis://… or redis+cluster://host:port,… : the nodes\' store.redisUrl, to carry the sending counters\' day windows over.')
    .addOption(formatOption())
    .action(async (o: { to: string; redis?: string; format: OutputFormat }) => {
      const config = embedded(loadConfig());
      if (!/^postgres(ql)?:\/\//.test(o.to)) fail(Errors.INVALID_ARGUMENT, '--to must be a postgres:// URL.');
      const redis = o.redis !== undefined ? redisTarget(o.redis) : undefined;
      const bar = progressBar(process.stderr);
      const { migrateStore } = await import('../adapters/store/migrate-store.js');
      const s = await migrateStore({ dataDir: config.dataDir, to: o.to, ...(redis ? { redis } : {}), now: clockFromEnv().now(), progress: bar.update }).finally(bar.end);
      const rows = s.tables.map((t) => ({ Table: t.table, Embedded: t.embedded, PostgreSQL: t.postgres }));
      if (o.format === 'json') process.stdout.write(render({ ...s, verified: true }, 'json', undefined));
      else {
        process.stdout.write(render(rows, 'table', ['Table', 'Embedded', 'PostgreSQL']));
        process.stdout.write(`\n${render({ Verified: true, Rows: rows.reduce((a, r) => a + r.PostgreSQL, 0), AuditRecords: s.auditRecords, AuditHead: s.auditHead, AuditChain: 'intact', RedisSenders: s.redisSenders }, 'list', undefined)}`);
      }
    });
}

/** Progress on stderr: one redrawn line on a terminal, a line per table otherwise (logs, CI). */
function progressBar(out: NodeJS.WriteStream): { update: (p: MigrateProgress) => void; end: () => void } {
  const tty = out.isTTY === true;
  let last = '';
  let drawn = false;
  return {
    update(p) {
      const pct = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
      const filled = Math.round(pct / 5);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${String(pct).padStart(3)}%  ${p.table} ${p.tableDone}/${p.tableTotal}`;
      if (tty) {
        out.write(`\r${line.padEnd(last.length)}`);
        drawn = true;
      } else if (p.tableDone === p.tableTotal) out.write(`${line}\n`);
      last = line;
    },
    end() {
      if (drawn) out.write('\n');
    },
  };
}

const formatOption = (): Option => new Option('--format <format>', 'Output format.').choices(['list', 'json']).default('list');

function embedded(config: Readonly<Config>): Readonly<Config> {
  if (config.store.backend !== 'embedded' || config.store.databaseUrl !== '') {
    fail(Errors.CONFIG_INVALID, `outgate backup, restore and migrate-store act on the embedded store; this configuration names '${config.store.databaseUrl !== '' ? 'postgres' : config.store.backend}'.`);
  }
  return config;
}
