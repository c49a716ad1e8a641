/**
 * `pnpm chaos [--steps 500] [--seed N] [--no-faults] [--no-engine-restarts] [--shrink-minutes 20]`: the long
 * chaos run (issue 12) against a freshly built panel. Prints every step, the per-step convergence table and,
 * on a violation, the minimal sequence as JSON (put it in apps/api/test/chaos/regressions/ to keep it).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runChaos, startChaosPanel, summary } from '../apps/api/test/chaos/runner.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const steps = flag('steps', 100);
const seed = flag('seed', Date.now() % 1_000_000);
const shrinkMinutes = flag('shrink-minutes', 20);

const root = path.resolve(import.meta.dirname, '..');
if (!args.includes('--no-build') && spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' }).status !== 0)
  process.exit(1);

const started = Date.now();
const world = await startChaosPanel();
let failed = false;
try {
  const stats = await runChaos(world, {
    seed,
    steps,
    faults: !args.includes('--no-faults'),
    engineRestarts: !args.includes('--no-engine-restarts'),
    shrinkBudgetMs: shrinkMinutes * 60_000,
    log: (line) => console.log(line),
  });
  console.log(`\nchaos run: seed ${seed}, ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(summary(stats));
  failed = stats.violations.length > 0;
} finally {
  await world.panel.stop().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
}
process.exit(failed ? 1 : 0);
