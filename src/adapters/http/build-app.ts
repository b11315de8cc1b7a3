// The HTTP API, built apart from listen() so tests can inject requests: TypeBox schemas on every
// route, the OpenAPI 3 document at /api/openapi.json and a browsable reference at /api/docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from './errors.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';

export interface HttpDeps {
  log: Logger;
  metrics: HealthDeps['metrics'];
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  checkStore(): Promise<void>;
  version: string;
}

export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger, bodyLimit: 1_048_576 });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onResponse', async (req, reply) => {
    deps.observeRequest(req.method, req.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime / 1000);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Outgate API', version: deps.version, description: 'Outbound mail protection: restricted entities, policies, audit.' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { checkStore: deps.checkStore, metrics: deps.metrics });
  return app;
}
