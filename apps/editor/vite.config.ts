/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { workspaceAliases } from '../../vitest.shared';

// `pnpm --filter @braid/editor dev` serves the editor on :5173 and forwards API calls to the runtime on :3000.
export default defineConfig(({ mode }) => ({
  plugins: [react()],
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/healthz': 'http://127.0.0.1:3000',
    },
  },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1500 },
  // Without NODE_ENV in the environment, `vite build` bundled React's development build (slow, StrictMode
  // double effects): production builds always get the production libraries.
  ...(mode === 'production' ? { define: { 'process.env.NODE_ENV': JSON.stringify('production') } } : {}),
  // Tests read flow-model from its TypeScript sources (no build needed); the app bundles its dist.
  resolve: mode === 'test' ? { alias: { '@braid/flow-model': workspaceAliases['@braid/flow-model']! } } : {},
  test: { include: ['src/**/*.spec.ts', 'src/**/*.spec.tsx'], environment: 'node' },
}));
