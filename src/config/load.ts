// Loads the configuration: defaults < config file (OUTGATE_CONFIG or ./outgate.json) < OUTGATE_* env.
// Validated once, then frozen; a bad value stops start-up with the path and the reason.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Value } from 'typebox/value';
import { Errors, fail } from '../errors.js';
import { ConfigSchema, ENV_KEYS, type Config } from './schema.js';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Overrides applied last (tests, `--demo`). */
  overrides?: Record<string, unknown>;
}

/**
 * An empty OUTGATE_* value is taken as unset (an EnvironmentFile's `KEY=` line), except where empty is
 * a setting of its own: `OUTGATE_MILTER_LISTEN=` turns the milter off, as `"listen": ""` does.
 */
const OFF_WHEN_EMPTY: ReadonlySet<string> = new Set(['milter.listen']);

export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const raw: Record<string, unknown> = readConfigFile(env.OUTGATE_CONFIG, cwd);
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v === undefined || (v === '' && !OFF_WHEN_EMPTY.has(path))) continue;
    setPath(raw, path, v);
  }
  for (const [path, v] of Object.entries(opts.overrides ?? {})) setPath(raw, path, v);

  const value = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, value)];
  if (errors.length > 0) {
    const e = errors[0]!;
    const where = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    fail(Errors.CONFIG_INVALID, `Configuration ${where}: ${e.message}.`);
  }
  const config = value as Config;
  config.dataDir = resolve(cwd, config.dataDir);
  return deepFreeze(config);
}

function readConfigFile(path: string | undefined, cwd: string): Record<string, unknown> {
  const file = path ? resolve(cwd, path) : resolve(cwd, 'outgate.json');
  if (!existsSync(file)) {
    if (path) fail(Errors.CONFIG_INVALID, `Configuration file ${file} does not exist.`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    fail(Errors.CONFIG_INVALID, `Configuration file ${file}: ${(err as Error).message}.`);
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    node = (node[k] = next !== null && typeof next === 'object' ? next : {}) as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Splits `host:port` (IPv6 in brackets) for net.listen. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (!m) fail(Errors.CONFIG_INVALID, `Listen address '${listen}' is not host:port.`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}
