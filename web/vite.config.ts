// The admin portal's build: web/ → web/dist, served by the Outgate server itself (src/adapters/http/portal.ts).
// `npm run dev:web` proxies the API to a running server (OUTGATE_URL, default http://127.0.0.1:8440).
import react from '@vitejs/plugin-react';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes a .br and a .gz beside each script and style sheet, once, at build time: the server sends the
 * one the browser accepts (@fastify/static preCompressed) without compressing on every request.
 */
function precompress(): Plugin {
  return {
    name: 'outgate-precompress',
    apply: 'build',
    enforce: 'post',
    // From the files as written: Vite still rewrites chunks (preload lists) in its own generateBundle.
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const source = readFileSync(join(dir, name));
        if (source.length < 1024) continue;
        const br = brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length } });
        writeFileSync(join(dir, `${name}.br`), br);
        writeFileSync(join(dir, `${name}.gz`), gzipSync(source, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/api': { target: process.env.OUTGATE_URL ?? 'http://127.0.0.1:8440', changeOrigin: false } },
  },
});
