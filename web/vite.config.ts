import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard builds to web/dist, which the server serves at / under a strict CSP: no inline
// script (the module-preload polyfill would be one) and no external resource.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  // @latchkey/client from its source (as web/tsconfig.json's paths), so build:web needs no build:packages first.
  resolve: {
    alias: { '@latchkey/client': fileURLToPath(new URL('../packages/client/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
