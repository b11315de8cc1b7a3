// `outgate backup FILE` and `outgate restore FILE`: the embedded store's backup and restore, as
// commands beside `start` (they act on the data directory's files, not through the cmdlets' store).
import { Command, Option } from 'commander';
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
}

const formatOption = (): Option => new Option('--format <format>', 'Output format.').choices(['list', 'json']).default('list');

function embedded(config: Readonly<Config>): Readonly<Config> {
  if (config.store.backend !== 'embedded') fail(Errors.CONFIG_INVALID, `outgate backup and restore cover the embedded store, not '${config.store.backend}'.`);
  return config;
}
