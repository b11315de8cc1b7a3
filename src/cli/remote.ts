// Remote mode: `outgate connect --url … --api-key …` saves where to go and which key to use; every
// cmdlet then runs on that server over its API (POST /api/v1/cmdlets/:name) instead of the local store,
// with the same output and the same OG_ERR_* errors. `outgate disconnect` returns to local mode.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Errors, fail, OutgateError } from '../errors.js';

export interface Connection {
  readonly url: string;
  readonly apiKey: string;
  readonly connectedAt: string;
}

const TIMEOUT_MS = 30_000;

/** OUTGATE_CONNECTION_FILE, else $XDG_CONFIG_HOME/outgate/connection.json, else ~/.config/outgate/connection.json. */
export function connectionFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OUTGATE_CONNECTION_FILE) return env.OUTGATE_CONNECTION_FILE;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'outgate', 'connection.json');
}

export function loadConnection(): Connection | undefined {
  const file = connectionFile();
  if (!existsSync(file)) return undefined;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Connection;
    if (typeof c.url === 'string' && typeof c.apiKey === 'string') return c;
  } catch {
    // fall through
  }
  fail(Errors.CONFIG_INVALID, `The connection file ${file} is not valid; run outgate disconnect, then outgate connect again.`);
}

/** Written readable by its owner only: it holds an API key. */
export function saveConnection(c: Connection): string {
  const file = connectionFile();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function removeConnection(): boolean {
  const file = connectionFile();
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

export function checkUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    fail(Errors.INVALID_ARGUMENT, `--url '${raw}' is not a URL (e.g. https://outgate.example.net:8440).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(Errors.INVALID_ARGUMENT, `--url must start with https:// or http://; got '${raw}'.`);
  return u.origin + u.pathname.replace(/\/+$/, '');
}

/** Runs one cmdlet on the server; an error answer becomes the same OutgateError local mode throws. */
export async function callRemote(c: Connection, cmdlet: string, params: Record<string, unknown>, tenant: string | undefined): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${c.url}/api/v1/cmdlets/${encodeURIComponent(cmdlet)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.apiKey}`, 'content-type': 'application/json', 'user-agent': 'outgate-cli' },
      body: JSON.stringify({ params, ...(tenant === undefined ? {} : { tenant }) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    fail(Errors.REMOTE_UNAVAILABLE, `Cannot reach ${c.url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}.`);
  }
  const text = await res.text();
  let body: { result?: unknown; statusCode?: number; code?: string; message?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    fail(Errors.REMOTE_UNAVAILABLE, `${c.url} answered HTTP ${res.status} without JSON: is it an Outgate server?`);
  }
  if (!res.ok) {
    if (typeof body.code === 'string' && typeof body.message === 'string') throw new OutgateError({ code: body.code, status: body.statusCode ?? res.status }, body.message);
    fail(Errors.REMOTE_UNAVAILABLE, `${c.url} answered HTTP ${res.status}.`);
  }
  return body.result;
}
