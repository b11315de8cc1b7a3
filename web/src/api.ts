// The one way the portal talks to Outgate: the documented HTTP API, with the session cookie (set by
// POST /api/v1/session, HttpOnly) and the session's CSRF token on every change.
import { roleMay } from '../../src/shared/roles.js';

// The session and the portal's settings are the server's strict response schemas, imported type-only.
import type { PortalConfigAnswer, SessionInfo } from '../../src/shared/api-schemas.js';
export type { SessionInfo };
export type PortalConfig = PortalConfigAnswer;
export type Account = SessionInfo['account'];

/** An error the API answered: its sentence is what the admin reads. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let tenant: string | undefined;
let onSignedOut: () => void = () => undefined;

export function setCsrf(token: string): void {
  csrfToken = token;
}
/** Provider-level admins act in the tenant they picked (?tenant=). */
export function setTenant(t: string | undefined): void {
  tenant = t;
}
export function setSignedOutHandler(f: () => void): void {
  onSignedOut = f;
}

/** Adds ?tenant= for provider admins who picked one (accounts made then are bound to that tenant). */
export function withTenant(path: string): string {
  if (!tenant || path.startsWith('/api/v1/session') || path.startsWith('/api/v1/tenants') || path.startsWith('/api/v1/portal-config'))
    return path;
  return `${path}${path.includes('?') ? '&' : '?'}tenant=${encodeURIComponent(tenant)}`;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** `signal` aborts the request (useLoad does, when a newer one replaces it). */
export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(withTenant(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'OG_ERR_NETWORK', 'The Outgate server could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data ?? {}) as { code?: string; message?: string };
    if (res.status === 401 && !path.startsWith('/api/v1/session')) onSignedOut();
    throw new ApiError(
      res.status,
      e.code ?? `HTTP_${res.status}`,
      typeof e.message === 'string' ? e.message : `The server answered ${res.status} ${res.statusText}.`,
    );
  }
  return data as T;
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// Permissions per role from the server's own table (src/shared/roles.ts): the server checks; the portal only hides.
export const canChange = (role: string): boolean => roleMay(role, 'change');
export const canAdminister = (role: string): boolean => roleMay(role, 'administer');

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A link from configuration, with {user} replaced by the address. */
export function linkFor(template: string, user: string): string {
  return template.replaceAll('{user}', encodeURIComponent(user));
}
