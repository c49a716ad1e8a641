import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converge } from './chaos/invariants.js';
import { replaySteps, resetWorld, runChaos, startChaosPanel, summary } from './chaos/runner.js';
import { applyStep, emptyModel, type Step, type World } from './chaos/steps.js';

const REGRESSIONS = path.join(import.meta.dirname, 'chaos/regressions');

/**
 * The chaos test (issue 12): random sequences of user actions and faults against the real panel, with the
 * invariant checker after every step. The test command runs a short fixed-seed sequence (the same steps every
 * time) and replays every minimal sequence a longer run found (regressions/*.json); `pnpm chaos --steps 500`
 * runs the long one.
 */
describe('chaos: lifecycle under faults', () => {
  let world: World;
  const log: string[] = [];
  beforeAll(async () => {
    world = await startChaosPanel();
  });
  afterAll(async () => {
    if (log.length > 0) process.stderr.write(`${log.join('\n')}\n`);
    await world?.panel.stop();
  });

  it('a fixed-seed sequence of actions and faults converges after every step, with no violation', async () => {
    const stats = await runChaos(world, {
      seed: 20261201,
      steps: 30,
      maxPerSequence: 15,
      engineRestarts: false,
      log: (line) => log.push(line),
    });
    log.push(summary(stats));
    expect(stats.violations).toEqual([]);
    expect(stats.steps).toBeGreaterThanOrEqual(30);
    expect(stats.faults).toBeGreaterThan(0);
  }, 1_800_000);

  it('Varnish on → off → on → off → on under load: every switch converges, purge works, visitors never see an error', async () => {
    await resetWorld(world);
    const model = emptyModel('load');
    await applyStep({ op: 'createTenant', webserver: 'nginx', varnish: true }, model, world);
    await applyStep({ op: 'createSite', tenant: 0, kind: 'php', version: '8.2' }, model, world);
    expect((await converge(model, world, 90_000)).violations).toEqual([]);
    const host = model.tenants[0]!.sites[0]!.domains[0]!;

    // Load: four visitors back to back until the switching is done (at most 90 s and 20,000 requests).
    const answers = new Map<string, number>();
    let stop = false;
    let sent = 0;
    const deadline = Date.now() + 90_000;
    const visitor = async () => {
      while (!stop && Date.now() < deadline && sent < 20_000) {
        sent++;
        const answer = await world.panel.https(host, '/chaos.php').then(
          (r) => String(r.status),
          (err: unknown) => `error: ${String(err)}`,
        );
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
      }
    };
    const load = Promise.all([visitor(), visitor(), visitor(), visitor()]);
    try {
      for (const on of [false, true, false, true]) {
        await applyStep({ op: 'setVarnish', tenant: 0, on }, model, world);
        const result = await converge(model, world, 60_000);
        expect(result.violations, `after switching Varnish ${on ? 'on' : 'off'}`).toEqual([]);
        if (on)
          expect(
            (await world.panel.api('POST', `/sites/${model.tenants[0]!.sites[0]!.id}/cache/purge`, {})).status,
          ).toBe(200);
      }
    } finally {
      stop = true;
      await load;
    }
    log.push(`Varnish toggles under load: ${sent} requests, answers ${JSON.stringify(Object.fromEntries(answers))}`);
    expect(Object.fromEntries(answers)).toEqual({ '200': sent });
  }, 600_000);

  for (const file of fs
    .readdirSync(REGRESSIONS)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    it(`regression ${file.replace(/\.json$/, '')}`, async () => {
      const { steps } = JSON.parse(fs.readFileSync(path.join(REGRESSIONS, file), 'utf8')) as { steps: Step[] };
      await resetWorld(world);
      const stats = await replaySteps(world, steps, (line) => log.push(line), `g${file.slice(0, 3)}`);
      expect(stats.steps).toBe(steps.length);
    }, 1_200_000);
  }
});
