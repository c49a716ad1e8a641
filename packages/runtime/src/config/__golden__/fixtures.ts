import type { PhpBounds, SiteSpec } from '../../runtime.types.js';

/** A tenant with every kind of site: three PHP versions (two sites on 8.2), static, Node and Python. */
export const ACME_SITES: SiteSpec[] = [
  {
    kind: 'php',
    siteId: 'shop',
    hostnames: ['shop.acme.test', 'www.shop.acme.test'],
    version: '8.2',
    documentRoot: 'public',
    php: { memoryLimitMb: 4096, uploadMaxMb: 64, postMaxMb: 32, maxExecutionSeconds: 1, displayErrors: false },
  },
  {
    kind: 'php',
    siteId: 'legacy',
    hostnames: ['legacy.acme.test'],
    version: '7.4',
    documentRoot: '',
    php: { memoryLimitMb: 128, uploadMaxMb: 8, postMaxMb: 8, maxExecutionSeconds: 30, displayErrors: true },
  },
  {
    kind: 'php',
    siteId: 'blog',
    hostnames: ['blog.acme.test'],
    version: '8.2',
    documentRoot: 'web',
    php: { memoryLimitMb: 256, uploadMaxMb: 16, postMaxMb: 16, maxExecutionSeconds: 60, displayErrors: false },
  },
  {
    kind: 'php',
    siteId: 'next',
    hostnames: ['next.acme.test'],
    version: '8.4',
    documentRoot: '',
    php: { memoryLimitMb: 128, uploadMaxMb: 8, postMaxMb: 8, maxExecutionSeconds: 30, displayErrors: false },
  },
  { kind: 'static', siteId: 'docs', hostnames: ['docs.acme.test'], documentRoot: 'dist' },
  { kind: 'node', siteId: 'api', hostnames: ['api.acme.test'], version: '20', command: ['node', 'server.js'], port: 3000 },
  { kind: 'python', siteId: 'ml', hostnames: ['ml.acme.test'], version: '3.11', command: ['gunicorn', '-b', '0.0.0.0:8000', 'app:app'], port: 8000 },
];

/** Plan bounds used by the golden pool files (shop's 4096 MB memory and 1 s are clamped). */
export const ACME_BOUNDS: PhpBounds = {
  memoryLimitMb: { min: 64, max: 512 },
  uploadMaxMb: { min: 1, max: 128 },
  postMaxMb: { min: 1, max: 128 },
  maxExecutionSeconds: { min: 5, max: 300 },
  maxChildren: 4,
};
