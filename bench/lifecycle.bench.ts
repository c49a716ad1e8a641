/**
 * Lifecycle figures (issue 12), against the built panel as its own process with the real Docker engine and
 * the managed Caddy (pnpm build and the images first). Bounded by counts; stops by itself.
 *   pnpm tsx bench/lifecycle.bench.ts      BENCH_FAULT_ROUNDS=5 BENCH_STUCK_SECONDS=120 BENCH_ENGINE_RESTARTS=2
 *
 * 1. Convergence after a fault, per kind: two tenants (one with Varnish) with PHP and static sites; each fault
 *    is injected BENCH_FAULT_ROUNDS times and timed until every invariant of the chaos checker holds again
 *    (sites served over HTTPS with their own content, Docker, Caddy's table and disk as the database wants).
 *    The baseline row is a no-op step: what the checker itself costs.
 * 2. Events written per minute by a tenant stuck failing: its webserver's port is taken by another process,
 *    so every pass fails the same way for BENCH_STUCK_SECONDS.
 */
import net from 'node:net';
import { converge } from '../apps/api/test/chaos/invariants.js';
import { resetWorld, startChaosPanel } from '../apps/api/test/chaos/runner.js';
import { applyStep, emptyModel, type Step } from '../apps/api/test/chaos/steps.js';
import { percentile } from './stats.js';

const ROUNDS = Number(process.env.BENCH_FAULT_ROUNDS ?? 5);
const STUCK_SECONDS = Number(process.env.BENCH_STUCK_SECONDS ?? 120);
const ENGINE_RESTARTS = Number(process.env.BENCH_ENGINE_RESTARTS ?? 2);
const GOAL_MS = 10_000;

const pct = percentile;

async function main(): Promise<void> {
  const world = await startChaosPanel({ BERTH_LOG_LEVEL: 'warn' });
  const rows: string[] = [];
  try {
    await resetWorld(world);
    const model = emptyModel('bench');
    const setup: Step[] = [
      { op: 'createTenant', webserver: 'nginx', varnish: true },
      { op: 'createSite', tenant: 0, kind: 'php', version: '8.2' },
      { op: 'createSite', tenant: 0, kind: 'static', version: '1' },
      { op: 'createTenant', webserver: 'apache', varnish: false },
      { op: 'createSite', tenant: 1, kind: 'php', version: '8.4' },
    ];
    for (const step of setup) await applyStep(step, model, world);
    const ready = await converge(model, world, 120_000);
    if (ready.violations.length > 0) throw new Error(`setup did not converge: ${ready.violations.join('; ')}`);

    // 1. Convergence per fault kind.
    const faults: [string, (round: number) => Step, number][] = [
      ['baseline (no fault: one checker pass)', () => ({ op: 'upload', tenant: 0, site: 0 }), ROUNDS],
      ['tenant container killed', (r) => ({ op: 'killContainer', tenant: r, container: r }), ROUNDS],
      ['tenant container removed', (r) => ({ op: 'removeContainer', tenant: r, container: r + 1 }), ROUNDS],
      ['tenant network removed', (r) => ({ op: 'removeNetwork', tenant: r }), ROUNDS],
      ['edge container killed', () => ({ op: 'killEdge' }), ROUNDS],
      ['panel killed (SIGKILL) and restarted', () => ({ op: 'killPanel' }), ROUNDS],
      ['Docker engine restarted', () => ({ op: 'restartEngine' }), ENGINE_RESTARTS],
    ];
    rows.push(
      '| after | rounds | converged p50 ms | p95 ms | max ms | goal p95 | met |',
      '|---|---|---|---|---|---|---|',
    );
    for (const [label, make, rounds] of faults) {
      if (rounds === 0) continue;
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const started = Date.now();
        await applyStep(make(r), model, world);
        const result = await converge(model, world, 180_000);
        if (result.violations.length > 0)
          throw new Error(`${label}: not converged after 180 s: ${result.violations.join('; ')}`);
        times.push(Date.now() - started);
      }
      const p95 = pct(times, 95);
      const row = `| ${label} | ${rounds} | ${pct(times, 50)} | ${p95} | ${Math.max(...times)} | ≤ ${GOAL_MS} | ${p95 <= GOAL_MS ? 'yes' : 'no'} |`;
      rows.push(row);
      console.log(`measured: ${row}`);
    }

    // 2. A tenant stuck failing: its web port is taken, so its webserver can never start.
    const stuck = await world.panel.api<{ id: string; ports: { web: number } }>('POST', '/tenants', {
      slug: 'benchstuck',
      name: 'Stuck',
      planId: world.plans.small,
      owner: { email: 'stuck@bench.test', password: 'stuck-password-123' },
    });
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(stuck.body.ports.web, '127.0.0.1', resolve));
    try {
      await world.panel.api('POST', '/sites', {
        tenantId: stuck.body.id,
        name: 'www',
        runtime: { kind: 'php', version: '8.2' },
      });
      const count = async () =>
        (await world.panel.api<{ total: number }>('GET', `/events?tenantId=${stuck.body.id}&limit=1`)).body.total;
      // Let the first failure happen (it writes its events), then count what the retries add.
      await world.panel.waitFor(
        'the stuck tenant failing',
        async () =>
          (await world.panel.api<{ items: { status: string }[] }>('GET', `/sites?tenantId=${stuck.body.id}`)).body
            .items[0]?.status === 'failed',
        60_000,
      );
      const before = await count();
      await new Promise((r) => setTimeout(r, STUCK_SECONDS * 1000));
      const written = (await count()) - before;
      const recent = await world.panel.api<{ items: { action: string }[] }>(
        'GET',
        `/events?tenantId=${stuck.body.id}&limit=${Math.max(1, Math.min(500, written))}`,
      );
      const actions = new Map<string, number>();
      for (const e of written > 0 ? recent.body.items : []) actions.set(e.action, (actions.get(e.action) ?? 0) + 1);
      console.log(`stuck tenant's events during the window: ${JSON.stringify(Object.fromEntries(actions))}`);
      const perMinute = written / (STUCK_SECONDS / 60);
      rows.push(
        '',
        '| tenant stuck failing | seconds | events written | per minute | goal | met |',
        '|---|---|---|---|---|---|',
      );
      rows.push(
        `| web port taken by another process | ${STUCK_SECONDS} | ${written} | ${perMinute.toFixed(2)} | ≤ 1 | ${perMinute <= 1 ? 'yes' : 'no'} |`,
      );
    } finally {
      squatter.close();
    }
  } finally {
    await world.panel.stop();
  }
  console.log(`\n${rows.join('\n')}`);
}

await main();
