// The admin portal's build: web/ → web/dist, served by the Outgate server itself (src/adapters/http/portal.ts).
// `npm run dev:web` proxies the API to a running server (OUTGATE_URL, default http://127.0.0.1:8440).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/api': { target: process.env.OUTGATE_URL ?? 'http://127.0.0.1:8440', changeOrigin: false } },
  },
});
