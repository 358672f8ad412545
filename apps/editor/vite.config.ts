/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `pnpm --filter @braid/editor dev` serves the editor on :5173 and forwards API calls to the runtime on :3000.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/healthz': 'http://127.0.0.1:3000',
    },
  },
  build: { outDir: 'dist', sourcemap: true },
  test: { include: ['src/**/*.spec.ts', 'src/**/*.spec.tsx'] },
});
