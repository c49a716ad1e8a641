import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { EDGE_OWNER, observe } from '@berth/runtime';
import { PanelProcess } from '../panel-process.js';
import { converge } from './invariants.js';
import {
  applyStep,
  canApply,
  emptyModel,
  FAULTS,
  PHP_VERSIONS,
  type Model,
  type SiteKind,
  type Step,
  type World,
} from './steps.js';
import { percentile } from '../../../../bench/stats.js';

/**
 * The chaos runner: fast-check's model-based testing (`fc.commands` + `fc.asyncModelRun`) over the real
 * panel. Each command is one Step; after it, the invariant checker waits (bounded) for reality to match
 * the model. A sequence that ends with a violation is shrunk by fast-check (each attempt replays on a
 * clean panel) and printed as a JSON list of steps, replayable with `replaySteps` (regressions/*.json).
 */

const idx = fc.nat({ max: 7 });
const kind = fc.constantFrom<SiteKind>('php', 'php', 'static', 'node');

/** stepArbitrary weighs user actions against faults: about one step in five is a fault. */
export function stepArbitrary(opts: { faults: boolean; engineRestarts: boolean }): fc.Arbitrary<Step> {
  const ops: fc.WeightedArbitrary<Step>[] = [
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('createTenant' as const),
        webserver: fc.constantFrom('nginx' as const, 'apache' as const),
        varnish: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('terminateTenant' as const), tenant: idx }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('suspend' as const), tenant: idx }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('unsuspend' as const), tenant: idx }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('changePlan' as const), tenant: idx }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('setVarnish' as const), tenant: idx, on: fc.boolean() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('setWebserver' as const),
        tenant: idx,
        webserver: fc.constantFrom('nginx' as const, 'apache' as const),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('purge' as const), tenant: idx }) },
    {
      weight: 7,
      arbitrary: kind.chain((k) =>
        fc.record({
          op: fc.constant('createSite' as const),
          tenant: idx,
          kind: fc.constant(k),
          version: k === 'php' ? fc.constantFrom(...PHP_VERSIONS) : fc.constant(k === 'node' ? '20' : '1'),
        }),
      ),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('deleteSite' as const), tenant: idx, site: idx }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('switchPhp' as const),
        tenant: idx,
        site: idx,
        version: fc.constantFrom(...PHP_VERSIONS),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('addDomain' as const), tenant: idx, site: idx }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('removeDomain' as const), tenant: idx, site: idx }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('upload' as const), tenant: idx, site: idx }) },
  ];
  if (opts.faults) {
    ops.push(
      { weight: 2, arbitrary: fc.constant({ op: 'killPanel' as const }) },
      { weight: 2, arbitrary: fc.constant({ op: 'killEdge' as const }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('killContainer' as const), tenant: idx, container: idx }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('removeContainer' as const), tenant: idx, container: idx }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('removeNetwork' as const), tenant: idx }) },
    );
    if (opts.engineRestarts) ops.push({ weight: 1, arbitrary: fc.constant({ op: 'restartEngine' as const }) });
  }
  return fc.oneof(...ops);
}

/** PRELUDE opens every random sequence (and is part of every reproduction it prints). */
export const PRELUDE: Step[] = [
  { op: 'createTenant', webserver: 'nginx', varnish: false },
  { op: 'createSite', tenant: 0, kind: 'php', version: '8.2' },
];

/** ChaosStats is what a run measured: steps, faults, and how long convergence took per kind of step. */
export interface ChaosStats {
  steps: number;
  faults: number;
  byOp: Record<string, number[]>;
  violations: { steps: Step[]; violations: string[] }[];
}

export class ChaosViolation extends Error {
  constructor(
    readonly step: Step,
    readonly violations: string[],
  ) {
    super(`after ${JSON.stringify(step)}:\n  - ${violations.join('\n  - ')}`);
  }
}

/** runStep applies one step and waits for convergence; a violation throws ChaosViolation. */
async function runStep(
  step: Step,
  model: Model,
  world: World,
  stats: ChaosStats,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  await applyStep(step, model, world);
  const result = await converge(model, world, FAULTS.has(step.op) ? world.faultConvergeMs : world.convergeMs);
  stats.steps++;
  if (FAULTS.has(step.op)) stats.faults++;
  (stats.byOp[step.op] ??= []).push(result.ms);
  log(
    `${String(stats.steps).padStart(4)} ${JSON.stringify(step)} ${Date.now() - started} ms (converged in ${result.ms} ms)${result.violations.length ? ' VIOLATION' : ''}`,
  );
  if (result.violations.length > 0) throw new ChaosViolation(step, result.violations);
}

/** Budget caps how many steps one sequence runs (fast-check generates more commands than apply). */
interface Budget {
  left: number;
}

class StepCommand implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly step: Step,
    private readonly stats: ChaosStats,
    private readonly log: (line: string) => void,
    private readonly budget: Budget,
  ) {}
  check(m: Readonly<Model>): boolean {
    return this.budget.left > 0 && canApply(this.step, m as Model);
  }
  async run(m: Model, world: World): Promise<void> {
    this.budget.left--;
    await runStep(this.step, m, world, this.stats, this.log);
  }
  toString(): string {
    return JSON.stringify(this.step);
  }
}

/** ChaosPanel is the panel the chaos runs against, with two plans to switch between. */
export async function startChaosPanel(extraEnv: Record<string, string> = {}): Promise<World> {
  const panel = await PanelProcess.start({
    BERTH_SITE_PROBE_INTERVAL_S: '2',
    BERTH_PROVISION_TIMEOUT_S: '120',
    ...extraEnv,
  });
  const plan = async (name: string, memoryMb: number, cpuMillicores: number) => {
    const res = await panel.api<{ id: string }>('POST', '/plans', {
      name,
      maxSites: 3,
      maxDomains: 6,
      cpuMillicores,
      memoryMb,
      diskMb: 1000,
      bandwidthGb: 10,
      pidsLimit: 256,
      phpVersions: [...PHP_VERSIONS],
      phpMaxMemoryMb: 128,
      phpMaxUploadMb: 16,
      phpMaxExecSeconds: 30,
    });
    if (res.status !== 201) throw new Error(`plan ${name}: ${res.status} ${res.text}`);
    return res.body.id;
  };
  return {
    panel,
    plans: { small: await plan('Chaos small', 768, 1000), large: await plan('Chaos large', 1024, 1500) },
    convergeMs: 90_000,
    faultConvergeMs: 150_000,
  };
}

/** resetWorld terminates every tenant and waits until Docker and the disk hold nothing of them. */
export async function resetWorld(world: World): Promise<void> {
  const { panel } = world;
  const list = await panel.api<{ items: { id: string }[] }>('GET', '/tenants?limit=500');
  for (const t of list.body.items) await panel.api('DELETE', `/tenants/${t.id}`);
  await panel.waitFor(
    'a clean slate',
    async () => {
      const seen = await observe(panel.driver());
      const tenantsDir = path.join(panel.dataDir, 'tenants');
      const dirs = fs.existsSync(tenantsDir) ? fs.readdirSync(tenantsDir) : [];
      return seen.containers.every((c) => c.tenantId === EDGE_OWNER) && seen.networks.length === 0 && dirs.length === 0;
    },
    120_000,
  );
}

/** replaySteps runs a fixed list of steps from a clean slate (regression tests); it throws on the first violation. */
export async function replaySteps(
  world: World,
  steps: Step[],
  log: (line: string) => void = () => undefined,
  prefix = 'r',
): Promise<ChaosStats> {
  const stats: ChaosStats = { steps: 0, faults: 0, byOp: {}, violations: [] };
  const model = emptyModel(prefix);
  for (const step of steps) {
    if (!canApply(step, model)) continue;
    await runStep(step, model, world, stats, log);
  }
  return stats;
}

/**
 * runChaos runs random sequences until `steps` steps have run (each sequence starts from a clean slate), or
 * until the first violation, which fast-check then shrinks within `shrinkBudgetMs` (0: report it as found).
 */
export async function runChaos(
  world: World,
  opts: {
    seed: number;
    steps: number;
    maxPerSequence?: number;
    faults?: boolean;
    engineRestarts?: boolean;
    shrinkBudgetMs?: number;
    log?: (line: string) => void;
  },
): Promise<ChaosStats> {
  const log = opts.log ?? (() => undefined);
  const stats: ChaosStats = { steps: 0, faults: 0, byOp: {}, violations: [] };
  const arb = stepArbitrary({ faults: opts.faults ?? true, engineRestarts: opts.engineRestarts ?? true });
  let sequence = 0;
  while (stats.steps < opts.steps) {
    const seed = opts.seed + sequence;
    const size = Math.min(opts.maxPerSequence ?? 40, opts.steps - stats.steps);
    let attempt = 0;
    const budget: Budget = { left: size };
    // More commands than steps: those whose precondition does not hold are skipped, the rest run until the budget is spent.
    const commands = fc.commands([arb.map((step) => new StepCommand(step, stats, log, budget))], {
      maxCommands: size * 4,
      size: 'max',
    });
    log(`sequence ${sequence} (seed ${seed}, up to ${size} steps)`);
    const before = stats.steps;
    const result = await fc.check(
      fc.asyncProperty(commands, async (cmds) => {
        attempt++;
        await resetWorld(world);
        const model = emptyModel(`q${sequence}a${attempt}`);
        // Every sequence starts with a tenant that has a PHP site, so the random steps have something to act on.
        for (const step of PRELUDE) await runStep(step, model, world, stats, log);
        budget.left = Math.max(0, size - PRELUDE.length);
        await fc.asyncModelRun(() => ({ model, real: world }), cmds);
      }),
      {
        seed,
        numRuns: 1,
        endOnFailure: (opts.shrinkBudgetMs ?? 0) === 0,
        ...(opts.shrinkBudgetMs ? { interruptAfterTimeLimit: opts.shrinkBudgetMs, markInterruptAsFailure: false } : {}),
      },
    );
    if (result.failed) {
      // fast-check wraps each command; only those that ran belong to the reproduction.
      const counterexample =
        (result.counterexample?.[0] as Iterable<{ cmd: StepCommand; hasRan: boolean }> | undefined) ?? [];
      const steps = [...PRELUDE, ...[...counterexample].filter((c) => c.hasRan).map((c) => c.cmd.step)];
      const error = result.errorInstance;
      const violations = error instanceof ChaosViolation ? error.violations : [String(error)];
      stats.violations.push({ steps, violations });
      log(
        `VIOLATION (seed ${seed}, ${steps.length} steps after shrinking):\n${JSON.stringify(steps, null, 1)}\n  - ${violations.join('\n  - ')}`,
      );
      break;
    }
    if (stats.steps === before) break; // nothing could run (should not happen: createTenant always applies first)
    sequence++;
  }
  return stats;
}

/** summary renders per-op convergence figures (count, p50, p95, max in ms) as a markdown table. */
export function summary(stats: ChaosStats): string {
  const rows = Object.entries(stats.byOp)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, times]) => {
      const q = (p: number) => percentile(times, p);
      return `| ${op}${FAULTS.has(op as Step['op']) ? ' (fault)' : ''} | ${times.length} | ${q(50)} | ${q(95)} | ${Math.max(...times)} |`;
    });
  return [
    `steps: ${stats.steps}, faults injected: ${stats.faults}, violations: ${stats.violations.length}`,
    '| step | count | converged p50 ms | p95 ms | max ms |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
