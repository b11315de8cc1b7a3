// Portal sign-in and sign-out: POST /api/v1/session sets the HttpOnly, SameSite=Strict session cookie
// and returns the CSRF token the portal sends back on every change.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as sessions from '../../../app/sessions.js';
import type { Clock, Store } from '../../../app/ports.js';
import { SESSION_COOKIE } from '../auth.js';
import { SessionInfoSchema } from '../../../shared/api-schemas.js';
import { errors } from '../context.js';
import { Errors, fail } from '../../../errors.js';

export interface SessionDeps {
  store: Store;
  clock: Clock;
  options: sessions.SessionOptions;
}

const tags = ['Sign-in'];

const cookieOptions = (req: FastifyRequest) => ({ path: '/', httpOnly: true, sameSite: 'strict' as const, secure: req.protocol === 'https' });

/** Sign-in is open to anyone (throttled); it is registered outside the authenticated scope. */
export async function signInRoute(app: FastifyInstance, deps: SessionDeps): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/session',
    {
      schema: {
        tags,
        summary: 'Sign in to the portal: sets the session cookie and returns the CSRF token.',
        security: [],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 200: SessionInfoSchema, 429: errors[403], ...errors },
      },
    },
    async (req, reply) => {
      const { token, info } = await sessions.signIn(deps.store, deps.clock, deps.options, { name: req.body.name, password: req.body.password, ip: req.ip });
      return reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge: Math.floor(deps.options.absoluteMs / 1000) }).send(info);
    },
  );
}

export async function sessionRoutes(app: FastifyInstance, deps: SessionDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const callerOf = (req: FastifyRequest): sessions.Caller => req.session ?? fail(Errors.NOT_FOUND, 'API keys have no portal session.');
  r.get('/api/v1/session', { schema: { tags, summary: 'The signed-in account, its role and tenant, and the CSRF token.', response: { 200: SessionInfoSchema, ...errors } } }, async (req) =>
    sessions.describeSession(deps.store, deps.options, callerOf(req)),
  );
  r.delete('/api/v1/session', { schema: { tags, summary: 'Sign out: ends the session and clears the cookie.', response: { 204: Type.Null(), ...errors } } }, async (req, reply: FastifyReply) => {
    await sessions.signOut(deps.store, deps.clock, callerOf(req));
    return reply.clearCookie(SESSION_COOKIE, cookieOptions(req)).status(204).send();
  });
}
