import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * precompress writes `.br` and `.gz` twins of the built JS, CSS and HTML so the panel can serve them
 * without compressing per request (@fastify/static's `preCompressed: true`).
 */
function precompress(): Plugin {
  return {
    name: 'berth-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html)$/.test(name)) continue;
        const file = path.join(options.dir ?? 'dist', name);
        const data = fs.readFileSync(file);
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

// The console is served by the API process in production; in development Vite proxies /api to it.
// The manifest (dist/.vite/manifest.json) lets bench/web.bench.ts size what each first page loads.
export default defineConfig({
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, manifest: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
