import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, PanelProcess } from '../../api/test/panel-process.js';

// The console's browser tests run the built panel through the API tests' PanelProcess (one helper starts
// the built panel for every test); this file adds only what is particular to a browser.

export { ensureBuilt, PanelProcess };

/** REPO_ROOT is the monorepo root, where `pnpm build` runs and `test-results/` is written. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** CHROMIUM_ARGS are the flags Debian's chromium needs as root in a container, with no traffic off the machine. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * CONSOLE_ENV is the environment of a panel for the console: other panels may share this Docker engine, so
 * no edge on :80/:443 (PanelProcess gives it a port window of its own), and only warnings in its log.
 */
export const CONSOLE_ENV: Record<string, string> = { BERTH_EDGE: 'off', BERTH_LOG_LEVEL: 'warn' };

/** Panel is the running panel a browser test drives: the console at `url`, the API as the admin with `api`. */
export type Panel = PanelProcess;

/**
 * startPanel runs the built panel (`node apps/api/dist/main.js`) as its own process on a fresh data
 * directory and a free loopback port, with `admin` as its first admin, and waits until it answers.
 * `stop()` ends it and removes what it created (in Docker and its data dir).
 */
export function startPanel(admin: { email: string; password: string }): Promise<Panel> {
  return PanelProcess.start(CONSOLE_ENV, { admin });
}

/**
 * removeDataDir deletes a stopped test panel's data dir. The panel bind-mounts `<dataDir>/tenants` on itself
 * (a shared mount, so tenants' disks reach the edge): that mount is released first, or the delete is EBUSY.
 * PanelProcess.stop() already does this; this is for a data dir left by a panel that was not stopped with it
 * (and is a no-op after stop()). Test code only; the panel's own cleanup is the runtime's releaseTenantsRoot.
 */
export function removeDataDir(dataDir: string): void {
  const tenants = path.join(dataDir, 'tenants');
  for (
    let i = 0;
    i < 4 &&
    fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((line) => line.split(' ')[4] === tenants);
    i++
  ) {
    execFileSync('umount', [tenants]);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** apiSession signs in over HTTP and returns a caller for cookie-authenticated JSON requests (test setup only). */
export async function apiSession(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login as ${email} failed: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async (method: string, route: string, body?: unknown): Promise<{ status: number; data: unknown }> => {
    const answer = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    let data: unknown = text;
    try {
      data = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // A non-JSON answer (a file download) stays text.
    }
    return { status: answer.status, data };
  };
}
