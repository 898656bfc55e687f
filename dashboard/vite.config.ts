import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into dist/, served by the API process at `/` (fastify-static plus an SPA fallback).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
