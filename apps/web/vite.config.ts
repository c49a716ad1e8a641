import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the API process in production; in development Vite proxies /api to it.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
