// Who is calling: an API key (`Authorization: Bearer og_…`) or a portal session cookie becomes the
// Actor the use cases check. A cookie-authenticated call that changes something must also carry the
// session's CSRF token in `X-CSRF-Token` (the cookie is SameSite=Strict too; the token is the rule).
// Unauthenticated calls to anything but sign-in, health, readiness, metrics and the API reference get 401.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfMatches, type Caller } from '../../app/sessions.js';
import type { Actor } from '../../domain/events.js';
import { Errors } from '../../errors.js';
import type { ErrorBody } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** Set when the caller came with a portal session rather than an API key. */
    session?: Caller;
  }
}

export const SESSION_COOKIE = 'og_session';
export const CSRF_HEADER = 'x-csrf-token';

export type Authenticate = (token: string, ip: string | null) => Promise<Actor | undefined>;
export type AuthenticateSession = (token: string, ip: string | null) => Promise<Caller | undefined>;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function refuse(reply: FastifyReply, status: 401 | 403, code: string, message: string): FastifyReply {
  const body: ErrorBody = { statusCode: status, code, message };
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.status(status).send(body);
}

export function requireCaller(apiKey: Authenticate, session: AuthenticateSession) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const actor = m ? await apiKey(m[1]!, req.ip) : undefined;
      if (!actor) return void refuse(reply, 401, Errors.UNAUTHENTICATED.code, m ? 'That API key is not valid (wrong, revoked, or its account is disabled).' : 'Send an API key: Authorization: Bearer og_….');
      req.actor = actor;
      return;
    }
    const cookie = req.cookies[SESSION_COOKIE];
    const caller = cookie ? await session(cookie, req.ip) : undefined;
    if (!caller) {
      return void refuse(reply, 401, Errors.UNAUTHENTICATED.code, cookie ? 'Your session has ended; sign in again.' : 'Sign in, or send an API key: Authorization: Bearer og_….');
    }
    if (!SAFE.has(req.method)) {
      const token = req.headers[CSRF_HEADER];
      if (!csrfMatches(caller.session, typeof token === 'string' ? token : undefined)) {
        return void refuse(reply, 403, Errors.CSRF.code, 'This change did not carry the session\'s X-CSRF-Token header; reload the page and try again.');
      }
    }
    req.actor = caller.actor;
    req.session = caller;
  };
}
