// Builds the web console into dist/console, served by Warden at /console/ (src/fronts/console).
// Everything is bundled: no external fonts, scripts or CDNs, so it works on an isolated network.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  publicDir: 'public',
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    // No inline scripts or data: URLs: the Content-Security-Policy allows files from Warden only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite --config console/vite.config.ts` during development: the API comes from a local Warden.
    proxy: { '/admin': 'http://127.0.0.1:8787' },
  },
});
