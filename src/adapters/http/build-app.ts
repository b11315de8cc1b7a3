// The HTTP API, built apart from listen() so tests can inject requests: TypeBox schemas on every
// route, the OpenAPI 3 document at /api/openapi.json and a browsable reference at /api/docs.
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from './errors.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import type { Clock, Store } from '../../app/ports.js';
import { requireCaller, type Authenticate, type AuthenticateSession } from './auth.js';
import type { SessionOptions } from '../../app/sessions.js';
import { sessionRoutes, signInRoute } from './routes/session.js';
import { accountRoutes } from './routes/accounts.js';
import { auditRoutes } from './routes/audit.js';
import { policyRoutes } from './routes/policies.js';
import { recipientPermissionRoutes } from './routes/recipient-permissions.js';
import { restrictedEntityRoutes } from './routes/restricted-entities.js';
import { mailFlowRoutes } from './routes/mail-flow.js';
import { sendingRoutes } from './routes/sending.js';
import { alertRoutes } from './routes/alerts.js';
import { cmdletRoutes, type RemoteCmdlets } from './routes/cmdlets.js';
import type { CheckSend } from '../../app/check-send.js';
import type { ServiceLimits } from '../../domain/service-limits.js';
import { portalFallback, portalRoutes } from './portal.js';
import { portalConfigRoutes, type PortalConfig } from './routes/portal-config.js';
import { guardConnections, httpTimeouts, type HttpConnectionLimits } from './connections.js';

export interface HttpDeps {
  log: Logger;
  metrics: HealthDeps['metrics'];
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  checkStore(): Promise<void>;
  version: string;
  store: Store;
  clock: Clock;
  authenticate: Authenticate;
  authenticateSession: AuthenticateSession;
  sessionOptions: SessionOptions;
  unblockLimit: number;
  /** Whether an alert webhook may post to a URL's target (the notify adapter's policy). */
  webhookTargetAllowed: (url: string) => Promise<boolean>;
  checkSend: CheckSend;
  serviceLimits: ServiceLimits;
  /** TLS-terminating proxies to believe (http.trustProxy: comma-separated addresses or CIDRs); absent: none. */
  trustProxy?: string;
  /** The cmdlet table for remote CLI calls; absent: no /api/v1/cmdlets route. */
  cmdlets?: RemoteCmdlets;
  /** The admin portal's run-time settings; absent: defaults. */
  portal?: PortalConfig;
  /** Where the built portal is (default web/dist). */
  webRoot?: string;
  /** alerts.smtp.host is set: the alert policy views say so, as alert email otherwise waits in the outbox. */
  alertSmtpConfigured?: boolean;
  /** Connection caps and the request deadline (absent: Node's and Fastify's defaults, for injected tests). */
  connections?: HttpConnectionLimits;
}

const DEFAULT_PORTAL: PortalConfig = { mfaUrl: 'https://aka.ms/MFASetup', passwordResetUrl: 'https://passwordreset.microsoftonline.com/?username={user}' };

export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    // Only the proxies the operator names: their X-Forwarded-Proto makes the cookie Secure, and
    // X-Forwarded-For the client address that sign-in throttling counts. Anyone else could forge them.
    trustProxy: deps.trustProxy ? deps.trustProxy.split(',').map((s) => s.trim()).filter((s) => s !== '') : false,
    // An unknown field is a mistake to report, not something to drop silently.
    ajv: { customOptions: { removeAdditional: false } },
    // Identities in paths are addresses of up to 254 characters, percent-encoded (find-my-way's default is 100).
    routerOptions: { maxParamLength: 1000 },
    // A malformed or overlong URL is answered by the router itself: in the catalogue's shape too.
    frameworkErrors: errorHandler,
    ...(deps.connections ? httpTimeouts(deps.connections.requestTimeoutSeconds) : {}),
  });
  if (deps.connections) guardConnections(app.server, deps.connections, deps.log.child({ component: 'http' }));
  app.setErrorHandler(errorHandler);
  // Portal pages that are not files get the app's index.html; /api, /metrics, /health keep JSON 404s.
  app.setNotFoundHandler(portalFallback(notFoundHandler, { root: deps.webRoot }));
  app.addHook('onResponse', async (req, reply) => {
    deps.observeRequest(req.method, req.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime / 1000);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Outgate API', version: deps.version, description: 'Outbound mail protection: restricted entities, policies, audit.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: og_…' },
          session: { type: 'apiKey', in: 'cookie', name: 'og_session', description: 'A portal session (POST /api/v1/session); changes also need the X-CSRF-Token header.' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(cookie);
  await app.register(healthRoutes, { checkStore: deps.checkStore, metrics: deps.metrics });
  const sessionDeps = { store: deps.store, clock: deps.clock, options: deps.sessionOptions };
  await app.register(signInRoute, sessionDeps);
  // Everything else needs a caller; the use cases then check the caller's role and tenant.
  await app.register(async (api) => {
    api.addHook('onRequest', requireCaller(deps.authenticate, deps.authenticateSession));
    await api.register(sessionRoutes, sessionDeps);
    const routeDeps = { store: deps.store, clock: deps.clock, unblockLimit: deps.unblockLimit, checkSend: deps.checkSend, serviceLimits: deps.serviceLimits, webhookTargetAllowed: deps.webhookTargetAllowed, alertSmtpConfigured: deps.alertSmtpConfigured ?? false };
    await api.register(restrictedEntityRoutes, routeDeps);
    await api.register(policyRoutes, routeDeps);
    await api.register(recipientPermissionRoutes, routeDeps);
    await api.register(auditRoutes, routeDeps);
    await api.register(accountRoutes, routeDeps);
    await api.register(mailFlowRoutes, routeDeps);
    await api.register(sendingRoutes, routeDeps);
    await api.register(alertRoutes, routeDeps);
    if (deps.cmdlets) await api.register(cmdletRoutes, { ...routeDeps, cmdlets: deps.cmdlets });
    await api.register(portalConfigRoutes, { portal: deps.portal ?? DEFAULT_PORTAL, version: deps.version });
  });
  await app.register(portalRoutes, { root: deps.webRoot });
  return app;
}
