// `outgate`: `start` runs the service; every other command is a cmdlet acting on the local store,
// which a running server on the same data directory sees at once.
import { Command, CommanderError, Option } from 'commander';
import { hostname, userInfo } from 'node:os';
import { loadConfig } from '../config/load.js';
import { openStore } from '../adapters/store/open-store.js';
import { targetAllowed, webhookPolicy } from '../adapters/notify/webhook-target.js';
import { clockFromEnv } from '../adapters/clock/clock.js';
import { bootstrap } from '../app/tenants.js';
import { Errors, isOutgateError, OutgateError } from '../errors.js';
import { startServer } from '../main.js';
import type { Actor } from '../domain/events.js';
import { normalizeArgs } from './argv.js';
import { CMDLETS, type Cmdlet } from './cmdlets.js';
import { callRemote, checkUrl, loadConnection, removeConnection, saveConnection } from './remote.js';
import { render, type OutputFormat } from './format.js';
import { addStoreCommands } from './store-commands.js';
import { listenForSignals } from './server-signals.js';
import { addDoctorCommand } from './doctor.js';

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  const cmdlet = first === undefined ? undefined : CMDLETS.find((c) => c.name.toLowerCase() === first.toLowerCase());
  try {
    if (cmdlet) return await runCmdlet(cmdlet, rest);
    return await runProgram(argv);
  } catch (err) {
    return report(cmdlet?.name ?? 'outgate', err);
  }
}

async function runProgram(argv: readonly string[]): Promise<number> {
  const program = new Command('outgate')
    .description('Outbound mail protection: per-sender limits, Restricted entities, Postfix policy server.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText('after', `\nCmdlets (outgate <Cmdlet> -Help):\n${CMDLETS.map((c) => `  ${c.name.padEnd(40)} ${c.summary}`).join('\n')}\n`);
  program
    .command('start')
    .description('Run the service (policy server, HTTP API and portal) on the configured store (embedded, or PostgreSQL with OUTGATE_DATABASE_URL).')
    .option('--demo', 'A throwaway demo: a tenant, policies, admin accounts of every role and a minute of synthetic traffic; prints the portal URL and passwords.')
    .action(async (o: { demo?: boolean }) => {
      if (o.demo) {
        // Loaded only for --demo: it brings an SMTP sink and a load generator.
        const { describeDemo, startDemo } = await import('../demo.js');
        const demo = await startDemo();
        const stopping = new Promise<void>((resolve) => {
          const stop = (): void => void demo.stop().then(resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await Promise.race([demo.ready.then(() => process.stdout.write(describeDemo(demo))), stopping]);
        await stopping;
        return;
      }
      const signals = listenForSignals(() => loadConfig());
      const running = await startServer(loadConfig()).catch((err: unknown) => {
        // A start-up failure is a sentence with its OG_ERR_* code (docs/errors.md), never a stack.
        if (isOutgateError(err)) throw err;
        throw new OutgateError(Errors.START_FAILED, `Outgate could not start: ${(err as Error)?.message ?? String(err)}`);
      });
      await signals.serve(running);
    });
  program
    .command('connect')
    .description('Run every cmdlet against a remote Outgate server over its API (like Connect-ExchangeOnline).')
    .requiredOption('--url <url>', 'The server, e.g. https://outgate.example.net:8440')
    .option('--api-key <key>', 'An API key (og_…); default: $OUTGATE_API_KEY')
    .action(async (o: { url: string; apiKey?: string }) => {
      const apiKey = o.apiKey ?? process.env.OUTGATE_API_KEY;
      if (!apiKey) throw new OutgateError(Errors.MISSING_PARAMETER, 'connect needs --api-key (or OUTGATE_API_KEY).');
      const url = checkUrl(o.url);
      const who = (await callRemote({ url, apiKey, connectedAt: '' }, 'Get-ConnectionInformation', {}, undefined)) as {
        UserName: string;
        Role: string;
      };
      const file = saveConnection({ url, apiKey, connectedAt: new Date().toISOString() });
      process.stdout.write(
        `Connected to ${url} as ${who.UserName} (${who.Role}). Cmdlets now run there; outgate disconnect returns to the local store.\n`,
      );
      const host = new URL(url).hostname;
      if (url.startsWith('http:') && !['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
        process.stderr.write(`warning: ${url} is plain HTTP: the API key crosses the network in clear text. Use https.\n`);
      }
      process.stderr.write(`(saved to ${file}, readable by you only)\n`);
    });
  program
    .command('disconnect')
    .description('Forget the remote server: cmdlets act on the local store again.')
    .action(() => {
      process.stdout.write(
        removeConnection() ? 'Disconnected: cmdlets act on the local store.\n' : 'Not connected: cmdlets already act on the local store.\n',
      );
    });
  addStoreCommands(program);
  addDoctorCommand(program);
  program.on('command:*', (operands: string[]) => {
    throw new OutgateError(
      Errors.UNKNOWN_COMMAND,
      `'${operands[0]}' is not an outgate command or cmdlet. Run 'outgate --help' for the list.`,
    );
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return 0;
}

async function runCmdlet(cmdlet: Cmdlet, args: readonly string[]): Promise<number> {
  const cmd = new Command(cmdlet.name).description(cmdlet.summary).exitOverride().allowExcessArguments(false);
  cmd.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const positional = cmdlet.params.find((p) => p.positional);
  if (positional) cmd.argument(`[${positional.name}]`, positional.help);
  for (const p of cmdlet.params) {
    const flag = p.kind === 'switch' ? `--${p.name}` : `--${p.name} <value>`;
    cmd.addOption(new Option(flag, `${p.help}${p.required ? ' (required)' : ''}`));
  }
  cmd.addOption(new Option('--format <format>', 'Output format.').choices(['auto', 'list', 'table', 'json', 'csv']).default('auto'));
  cmd.addOption(new Option('--tenant <tenant>', 'Tenant name or id (default: the default tenant).'));
  cmd.addOption(new Option('--local', 'Act on the local store even after outgate connect.'));

  let result: unknown;
  let format: OutputFormat = 'auto';
  cmd.action(async (...actionArgs: unknown[]) => {
    const opts = cmd.opts<Record<string, unknown>>();
    const a: Record<string, unknown> = { ...opts };
    if (positional && typeof actionArgs[0] === 'string') {
      if (a[positional.name] !== undefined) throw new OutgateError(Errors.INVALID_ARGUMENT, `-${positional.name} was given twice.`);
      a[positional.name] = actionArgs[0];
    }
    for (const p of cmdlet.params) {
      if (p.required && (a[p.name] === undefined || a[p.name] === '')) {
        throw new OutgateError(Errors.MISSING_PARAMETER, `${cmdlet.name} needs -${p.name}: ${p.help}`);
      }
    }
    format = opts.format as OutputFormat;
    const remote = opts.local ? undefined : loadConnection();
    if (remote) {
      const params = Object.fromEntries(cmdlet.params.filter((p) => a[p.name] !== undefined).map((p) => [p.name, a[p.name]]));
      result = await callRemote(remote, cmdlet.name, params, opts.tenant as string | undefined);
      return;
    }
    const config = loadConfig();
    const clock = clockFromEnv();
    const backend = await openStore(config, 'cli');
    const store = backend.store;
    try {
      await bootstrap(store, clock);
      // On the server's own machine the CLI acts with the store's files: a provider-level administrator.
      const actor: Actor = { name: `${safeUser()}@${hostname()}`, role: 'Global Administrator', source: 'cli', ip: null, tenantId: null };
      result = await cmdlet.run(
        {
          store,
          clock,
          actor,
          tenant: opts.tenant as string | undefined,
          unblockLimit: config.unblockLimit,
          webhookTargetAllowed: (url) => targetAllowed(url, webhookPolicy(config.alerts.webhookAllow)),
        },
        a,
      );
    } finally {
      await backend.close();
    }
  });
  try {
    await cmd.parseAsync(normalizeArgs(cmdlet.name, args, cmdlet.params), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' ? 0 : 2;
    throw err;
  }
  const notice = cmdlet.notice?.(result);
  if (notice) process.stderr.write(`WARNING: ${notice}\n`);
  process.stdout.write(render(cmdlet.output ? cmdlet.output(result) : result, format, cmdlet.columns));
  return cmdlet.exitCode?.(result) ?? 0;
}

function report(where: string, err: unknown): number {
  if (isOutgateError(err)) {
    process.stderr.write(`${where}: ${err.code}: ${err.message}\n`);
    return err.status < 500 ? (err.code === Errors.UNKNOWN_PARAMETER.code || err.code === Errors.UNKNOWN_COMMAND.code ? 2 : 1) : 3;
  }
  process.stderr.write(`${where}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 70;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
