// Who is calling: an API key (`Authorization: Bearer og_…`) becomes the Actor the use cases check.
// Unauthenticated calls to anything but health, readiness, metrics and the API reference get 401.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/events.js';
import { Errors } from '../../errors.js';
import type { ErrorBody } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

export type Authenticate = (token: string, ip: string | null) => Promise<Actor | undefined>;

export function requireCaller(authenticate: Authenticate) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = m ? await authenticate(m[1]!, req.ip) : undefined;
    if (!actor) {
      const body: ErrorBody = {
        statusCode: 401,
        code: Errors.UNAUTHENTICATED.code,
        message: m ? 'That API key is not valid (wrong, revoked, or its account is disabled).' : 'Send an API key: Authorization: Bearer og_….',
      };
      return reply.status(401).header('www-authenticate', 'Bearer').send(body);
    }
    req.actor = actor;
  };
}
