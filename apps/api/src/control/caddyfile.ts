import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../config.js';

/**
 * renderCaddyfile fills Caddyfile.template (global options only). Values are the panel's own paths and
 * validated config, never user input; an empty value drops its line (e.g. no ACME email).
 */
export function renderCaddyfile(values: { adminSocket: string; storageDir: string; httpPort: number; httpsPort: number; acmeEmail?: string | undefined; acmeCa?: string | undefined }): string {
  const template = fs.readFileSync(path.join(REPO_ROOT, 'Caddyfile.template'), 'utf8');
  const map: Record<string, string> = {
    ADMIN_SOCKET: values.adminSocket,
    STORAGE_DIR: values.storageDir,
    HTTP_PORT: String(values.httpPort),
    HTTPS_PORT: String(values.httpsPort),
    ACME_EMAIL: values.acmeEmail ?? '',
    ACME_CA: values.acmeCa ?? '',
  };
  return template
    .split('\n')
    .filter((line) => !/\{\{(\w+)\}\}/.test(line) || [...line.matchAll(/\{\{(\w+)\}\}/g)].every((m) => (map[m[1]!] ?? '') !== '') || line.trimStart().startsWith('#'))
    .map((line) => (line.trimStart().startsWith('#') ? line : line.replace(/\{\{(\w+)\}\}/g, (_, key: string) => map[key] ?? '')))
    .join('\n');
}
