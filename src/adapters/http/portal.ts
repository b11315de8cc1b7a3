// The admin portal: the built single-page app in web/dist, served by the API's own server under the
// same sign-in. Deep links (/restrictedentities, /alertpolicies, …) survive a reload: a GET for a page
// that is not a file gets index.html, while /api, /metrics and /health keep their JSON 404.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** web/dist, three levels up from both src/adapters/http and dist/adapters/http. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths that are never the portal's, whatever is asked for under them. */
const NOT_PORTAL = /^\/(api|metrics|health)(\/|$|\?)/;

// Fluent UI (Griffel) inserts its styles at run time, hence 'unsafe-inline' for styles only; no script
// but the bundle's own, so markup smuggled into data can never run.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Outgate</title>
<p>The Outgate portal has not been built. Run <code>npm run build:web</code> (or <code>npm run build</code>), then reload.</p>`;

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-cache');
}

/** Serves the static files of the portal (hashed assets cached for a year, index.html revalidated). */
export async function portalRoutes(app: FastifyInstance, opts: { root?: string }): Promise<void> {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  if (!existsSync(`${root}/index.html`)) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => pageHeaders(reply).type('text/html; charset=utf-8').send(NOT_BUILT));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    // The build writes .br and .gz beside each asset (web/vite.config.ts): sent as the browser accepts.
    preCompressed: true,
    setHeaders(res, path) {
      void res.header('x-content-type-options', 'nosniff');
      if (/[\\/]assets[\\/]/.test(path)) void res.header('cache-control', 'public, max-age=31536000, immutable');
      else {
        void res.header('cache-control', 'no-cache');
        if (path.endsWith('.html')) void res.header('content-security-policy', CSP);
      }
    },
  });
}

/**
 * Wraps the API's not-found handler: a browser GET for a portal page (not a file, not under /api,
 * /metrics, /health) gets index.html so the app can route it; everything else keeps the JSON 404.
 */
export function portalFallback(notFound: (req: FastifyRequest, reply: FastifyReply) => void, opts: { root?: string } = {}) {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  let index: string | undefined;
  return (req: FastifyRequest, reply: FastifyReply): void => {
    const path = req.url.split('?')[0] ?? '/';
    const isPage = (req.method === 'GET' || req.method === 'HEAD') && !NOT_PORTAL.test(path) && !/\.[a-z0-9]+$/i.test(path);
    if (!isPage) return notFound(req, reply);
    if (index === undefined && existsSync(`${root}/index.html`)) index = readFileSync(`${root}/index.html`, 'utf8');
    void pageHeaders(reply)
      .type('text/html; charset=utf-8')
      .send(index ?? NOT_BUILT);
  };
}
