/**
 * Caddy push benchmark: what one full-config push costs at 1 / 100 / 1,000 domains, and what a burst of
 * 100 domain changes costs coalesced by CaddyConfigPusher vs. 100 individual pushes (baseline, same run).
 * Runs a real Caddy 2.11 (binary from the berth/caddy:2.11 image) on loopback high ports; cleans up.
 * Run: pnpm tsx bench/caddy.bench.ts
 */
import { buildCaddyConfig } from '../packages/caddy/src/build/build-caddy-config.js';
import { CaddyConfigPusher } from '../packages/caddy/src/config-pusher.js';
import type { DesiredDomain, DesiredEdge } from '../packages/caddy/src/desired.js';
import { startCaddy } from '../packages/caddy/test/caddy-process.js';

const REPEATS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function domainsOf(count: number, prefix: string): DesiredDomain[] {
  // tls: off keeps certificate issuance out of the measurement: this measures config reload cost.
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, hostname: `${prefix}${i}.bench.test`, kind: 'primary', wwwRedirect: 'none', tls: { mode: 'off' } }));
}

async function main(): Promise<void> {
  const caddy = await startCaddy();
  const rows: Array<Record<string, string | number>> = [];
  try {
    const desired: DesiredEdge = { tenants: [{ id: 'b', status: 'active', upstreamPort: 20999, sites: [{ id: 's', documentRoot: '/srv/bench', domains: [] }] }] };
    const site = desired.tenants[0]!.sites[0]!;
    const options = () => ({ desired, admin: caddy.admin, storage: caddy.storage, listen: { host: '127.0.0.1', httpPort: caddy.httpPort, httpsPort: caddy.httpsPort } });

    // 1. One push at N domains (each repeat changes the upstream port so Caddy really reloads).
    for (const n of [1, 100, 1000]) {
      site.domains = domainsOf(n, 'p');
      const pusher = new CaddyConfigPusher({ client: caddy.client, buildDesired: async () => buildCaddyConfig(options()) });
      await pusher.pushNow();
      const build: number[] = [];
      const push: number[] = [];
      let bytes = 0;
      for (let r = 0; r < REPEATS; r++) {
        desired.tenants[0]!.upstreamPort = 21000 + r + n;
        let t = performance.now();
        bytes = JSON.stringify(buildCaddyConfig(options())).length;
        build.push(performance.now() - t);
        t = performance.now();
        const outcome = await pusher.pushNow();
        push.push(performance.now() - t);
        if (outcome.status !== 'pushed') throw new Error(`expected a push, got ${outcome.status}`);
      }
      const t = performance.now();
      const same = await pusher.pushNow();
      const unchangedMs = performance.now() - t;
      rows.push({ scenario: `one push @ ${n} domains`, 'config KiB': Math.round(bytes / 1024), 'build ms (median)': +median(build).toFixed(1), 'push ms (median, incl. GET+hash)': +median(push).toFixed(1), 'unchanged push ms': +unchangedMs.toFixed(1), reloads: REPEATS, note: same.status });
      await pusher.close();
    }

    // 2. A burst of 100 domain additions on top of 100 existing domains.
    for (const mode of ['coalesced (schedule x100)', 'baseline (pushNow after each)'] as const) {
      site.domains = domainsOf(100, 'base');
      const pusher = new CaddyConfigPusher({ client: caddy.client, buildDesired: async () => buildCaddyConfig(options()) });
      await pusher.pushNow({ force: true });
      const before = pusher.stats.pushes;
      const t = performance.now();
      if (mode.startsWith('coalesced')) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) => {
            site.domains.push(...domainsOf(1, `c${i}-`));
            return pusher.schedule();
          }),
        );
      } else {
        for (let i = 0; i < 100; i++) {
          site.domains.push(...domainsOf(1, `c${i}-`));
          await pusher.pushNow();
        }
      }
      const total = performance.now() - t;
      const live = await caddy.client.getConfig();
      const routes = live.config?.apps.http.servers['berth-server-http']?.routes.length ?? 0;
      rows.push({ scenario: `burst of 100 additions: ${mode}`, reloads: pusher.stats.pushes - before, 'total ms': Math.round(total), 'routes after': routes - 1 });
      await pusher.close();
    }
  } finally {
    await caddy.stop();
  }
  console.table(rows);
}

await main();
