import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  assertEgressAllow,
  buildEgressRuleset,
  egressRestoreScript,
  parseIptablesSave,
  parseNameservers,
  type EgressTenant,
} from '../config/egress.rules.js';
import { callDocker } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import { LABELS } from '../labels.js';
import { bridgeOf } from '../naming.js';
import type { DockerDriver } from '../runtime.types.js';

// Egress rules are kernel state with no API but iptables itself, so this is the one place the runtime runs a
// program: `iptables-save` to read the filter table, `iptables-restore --noflush` to write Berth's chains in
// one transaction. Both are given fixed arguments; the script on stdin is built by the pure
// `config/egress.rules.ts` from asserted values only. The same iptables (nf_tables or legacy) Docker uses.

/** EgressResult says whether the table had to change and which chains are Berth's now. */
export interface EgressResult {
  changed: boolean;
  chains: string[];
}

const TOOL_TIMEOUT_MS = 30_000;
const HINT =
  'run the panel as root on a host where Docker manages iptables, or set BERTH_EGRESS=off to run without egress rules';

function runTool(cmd: 'iptables-save' | 'iptables-restore', args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: TOOL_TIMEOUT_MS,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', (cause) =>
      reject(
        new RuntimeError('EGRESS_FAILED', `${cmd} could not be run (${cause.message}); install iptables, or ${HINT}.`, {
          cause,
          details: { cmd },
        }),
      ),
    );
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      reject(
        new RuntimeError(
          'EGRESS_FAILED',
          `${cmd} failed (${signal ?? `exit ${code}`}): ${stderr.slice(0, 500) || 'no message'}; ${HINT}.`,
          { details: { cmd, stderr } },
        ),
      );
    });
    // A tool that dies before reading its input reports through 'close'; the broken pipe itself is not the news.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** RESOLV_CONF is where the host's resolvers are read, as Docker reads them for its embedded DNS. */
export const RESOLV_CONF = { main: '/etc/resolv.conf', systemdResolved: '/run/systemd/resolve/resolv.conf' };

async function nameserversIn(path: string): Promise<string[]> {
  try {
    return parseNameservers(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * hostResolvers are the DNS servers tenant containers' queries really go to: Docker's embedded DNS
 * (127.0.0.11 in the container) forwards from inside the container's network namespace to the host's
 * resolv.conf nameservers — systemd-resolved's upstreams when resolv.conf only names its 127.0.0.53 stub.
 * Loopback servers are left out: a query to them never leaves the host namespace as tenant traffic.
 */
export async function hostResolvers(paths = RESOLV_CONF): Promise<string[]> {
  let servers = await nameserversIn(paths.main);
  if (servers.length > 0 && servers.every((s) => s.startsWith('127.'))) {
    const upstream = await nameserversIn(paths.systemdResolved);
    if (upstream.length > 0) servers = upstream;
  }
  return servers.filter((s) => !s.startsWith('127.'));
}

/**
 * ensureEgress makes this installation's egress chains exactly what `tenants` need (a full rewrite of
 * Berth's own chains in one iptables-restore transaction, nothing written when they already are so) and
 * returns whether anything changed. With no tenants it removes the chains and both jumps. `resolvers`
 * defaults to hostResolvers(). Only chains named `BERTH-<installation tag>-…` and the one jump each in
 * DOCKER-USER and INPUT are ever written; Docker's chains and everything else stay as they are.
 */
export async function ensureEgress(
  ctx: DockerDriver,
  params: { tenants: readonly EgressTenant[]; resolvers?: readonly string[] },
): Promise<EgressResult> {
  const resolvers = params.resolvers ?? (await hostResolvers());
  const ruleset = buildEgressRuleset({ instance: ctx.instance, tenants: params.tenants, resolvers });
  const current = parseIptablesSave(await runTool('iptables-save', ['-t', 'filter']));
  if (ruleset.jumps.length > 0 && !current.has('DOCKER-USER')) {
    throw new RuntimeError(
      'EGRESS_FAILED',
      `Docker's DOCKER-USER chain does not exist, so tenant egress cannot be filtered; start dockerd with its iptables integration on ("iptables": true), or ${HINT}.`,
    );
  }
  const script = egressRestoreScript(ruleset, current);
  const chains = ruleset.chains.map((c) => c.name);
  if (script === null) return { changed: false, chains };
  await runTool('iptables-restore', ['--noflush', '--wait'], script);
  ctx.logger?.info(
    { tenants: params.tenants.length, chains: chains.length, resolvers },
    'runtime: egress rules applied',
  );
  return { changed: true, chains };
}

/** removeEgress removes every egress chain and jump of this installation (and nothing else). */
export function removeEgress(ctx: DockerDriver): Promise<EgressResult> {
  return ensureEgress(ctx, { tenants: [], resolvers: [] });
}

/** EgressConverger keeps the egress rules in step with the tenant bridges Docker has and their plans. */
export interface EgressConverger {
  /** setAllow records a tenant's plan allow-list for the next converge; a bad entry throws INVALID_INPUT. */
  setAllow(tenantId: string, allow: readonly string[]): void;
  /** forget drops a removed tenant's allow-list. */
  forget(tenantId: string): void;
  /**
   * converge rewrites the rules for every tenant bridge of this installation that exists now; the promise
   * settles after a rewrite that started after the call (concurrent calls share one).
   */
  converge(): Promise<EgressResult>;
}

/**
 * createEgressConverger builds the rules from Docker's tenant networks of this installation (so a removed
 * tenant's rules go with its network) and the allow-lists recorded by setAllow. A bridge whose allow-list
 * is not known yet gets the default rules: never more open than its plan. Rewrites never overlap.
 */
export function createEgressConverger(
  ctx: DockerDriver,
  options: { resolvers?: readonly string[] } = {},
): EgressConverger {
  const allow = new Map<string, string[]>();
  let running: Promise<EgressResult> | undefined;
  let queued: Promise<EgressResult> | undefined;

  async function rewrite(): Promise<EgressResult> {
    const label = [`${LABELS.managed}=${ctx.instance}`, `${LABELS.role}=network`];
    const networks = await callDocker('network list', () => ctx.docker.listNetworks({ filters: { label } }));
    const tenants = networks.flatMap((n) => {
      const tenantId = n.Labels?.[LABELS.tenant];
      return tenantId ? [{ tenantId, bridge: bridgeOf(n), allow: allow.get(tenantId) ?? [] }] : [];
    });
    return ensureEgress(ctx, { tenants, ...(options.resolvers ? { resolvers: options.resolvers } : {}) });
  }

  function converge(): Promise<EgressResult> {
    if (!running) {
      running = rewrite().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return converge();
      });
    return queued;
  }

  return {
    setAllow(tenantId, entries) {
      allow.set(tenantId, assertEgressAllow(tenantId, entries));
    },
    forget(tenantId) {
      allow.delete(tenantId);
    },
    converge,
  };
}
