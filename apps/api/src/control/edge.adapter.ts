import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import {
  buildHostRecords,
  buildSkeleton,
  CaddyAdminClient,
  CaddyConfigPusher,
  HostTableSync,
  TableOutOfSync,
  type CaddyConfig,
  type RecordProblem,
  type THostRecord,
} from '@berth/caddy';
import { toEdgeTenant, type DesiredTenant, type EdgePort, type EdgeProblem } from '@berth/reconciler';
import { edgeDir, edgePaths, ensureEdge, tenantsRoot, type DockerDriver } from '@berth/runtime';
import { defaultTlsMode } from '@berth/contracts';
import type { Config } from '../config.js';
import type { PrismaDesiredStore } from './desired-store.js';

/** EdgeAdapter is the edge as the control plane sees it: the reconciler's EdgePort plus start, recovery and health. */
export interface EdgeAdapter extends EdgePort {
  /** start runs the managed Caddy (or finds the external one), makes sure it runs the skeleton, re-syncs the table and watches it. */
  start(): Promise<void>;
  /** recover re-ensures the managed Caddy after a Docker engine restart and re-syncs everything. */
  recover(): Promise<void>;
  health(): Promise<{ ok: true } | { ok: false; message: string }>;
  stop(): Promise<void>;
}

/**
 * createEdgeAdapter builds the edge from the installation's settings. The skeleton (Caddy's whole JSON
 * config) depends only on those settings, so it is pushed when they change, never for a domain; hosts go
 * to Caddy's host table, one tenant's changes at a time. One loop (`watch`, every 3 s) notices a Caddy that
 * restarted or lost its config and puts everything back; failures of a tenant's sync are retried by the
 * reconciler's own backoff for that tenant.
 */
export function createEdgeAdapter({
  config,
  driver,
  store,
  logger,
  onChanged,
}: {
  config: Config;
  driver: DockerDriver;
  store: PrismaDesiredStore;
  logger: FastifyBaseLogger;
  /** Called after hosts changed at the edge (the certificate prober looks again). */
  onChanged: () => void;
}): EdgeAdapter | null {
  if (config.edge.mode === 'off') return null;
  const log = logger.child({ op: 'edge' });
  const caddyDir = edgeDir(config.dataDir);
  const paths = edgePaths(caddyDir);
  const tenantsDir = tenantsRoot(config.dataDir);
  const managed = config.edge.mode === 'managed';
  const socketPath = managed ? paths.adminSocket : config.edge.adminSocket;
  const storageRoot = managed ? paths.storage : (config.edge.storageDir ?? path.join(caddyDir, 'storage'));
  // An external Caddy keeps its table snapshot in its own storage directory, which it can write.
  const snapshot = managed ? paths.snapshot : path.join(storageRoot, 'berth-hosts.json');
  const layout = { tenantsDir, backendHost: '127.0.0.1' };

  const skeleton: CaddyConfig = buildSkeleton({
    admin: { listen: `unix/${socketPath}`, config: { persist: false } },
    storage: { module: 'file_system', root: storageRoot },
    table: { snapshot, staticBase: tenantsDir, logsDir: paths.logs },
    listen: { httpPort: config.edgePorts.http, httpsPort: config.edgePorts.https },
    acme: {
      directory:
        config.acme.directory === 'letsencrypt'
          ? 'letsencrypt'
          : config.acme.directory === 'zerossl'
            ? 'zerossl'
            : { url: config.acme.directory },
      ...(config.acme.email ? { email: config.acme.email } : {}),
      ...(config.acme.trustedRootsPemFiles.length > 0
        ? { trustedRootsPemFiles: config.acme.trustedRootsPemFiles }
        : {}),
    },
  });
  const client = new CaddyAdminClient({ address: { socketPath }, logger: log });
  const pusher = new CaddyConfigPusher({ client, logger: log, buildDesired: async () => skeleton });
  const table = new HostTableSync({ client, logger: log });
  let watcher: NodeJS.Timeout | undefined;
  let resyncing: Promise<RecordProblem[]> | undefined;

  const ensureManaged = async () => {
    if (!managed) return;
    await ensureEdge(driver, {
      caddyDir,
      tenantsDir,
      skeleton: JSON.stringify(skeleton, null, 1),
      httpPort: config.edgePorts.http,
      httpsPort: config.edgePorts.https,
    });
  };

  const system = systemRecords(config);
  const recordsOf = (tenants: DesiredTenant[]) =>
    buildHostRecords(
      tenants.map((t) => toEdgeTenant(t, layout)),
      { staticBase: tenantsDir },
    );

  /** resyncAll replaces the whole table from the database (start-up, Caddy restarted); concurrent callers share one. */
  const resyncAll = (): Promise<RecordProblem[]> => {
    resyncing ??= (async () => {
      try {
        const pushed = await pusher.pushNow();
        if (pushed.status === 'failed') throw pushed.error;
        const built = recordsOf(await store.loadAll());
        const records = [...system, ...built.records];
        const problems = built.problems;
        const result = await table.replaceAll(records);
        log.info(
          { hosts: result.put, rejected: result.rejected.length, problems: problems.length },
          'edge: host table re-synced',
        );
        onChanged();
        return [...problems, ...rejectedAsProblems(result.rejected, records)];
      } finally {
        resyncing = undefined;
      }
    })();
    return resyncing;
  };

  let watching = false;
  let stopped = false;
  const watch = async () => {
    if (watching) return; // the previous check (maybe restarting Caddy) is still running
    watching = true;
    try {
      const outcome = await pusher.checkOnce();
      if (outcome?.status === 'pushed' || !(await table.inSync())) {
        log.warn({}, 'edge: Caddy restarted or lost its state; re-syncing every host');
        await resyncAll();
      }
    } catch (err) {
      // A managed Caddy that is not answering may have been killed or removed: put it back (an unchanged,
      // running container is left alone), and the next check re-syncs what it lost.
      log.warn({ err }, 'edge: Caddy not reachable; making sure its container runs');
      await ensureManaged().catch((e: unknown) =>
        log.error({ err: e }, 'edge: could not start the managed Caddy; will try again'),
      );
    } finally {
      watching = false;
    }
  };

  return {
    async start() {
      await ensureManaged().catch((err: unknown) =>
        log.error({ err }, 'edge: could not start the managed Caddy; the watch keeps trying'),
      );
      await waitForCaddy(client, log);
      await resyncAll().catch((err: unknown) => log.error({ err }, 'edge: first sync failed; the watch retries'));
      watcher = setInterval(() => void watch(), 3_000);
      watcher.unref();
    },

    async recover() {
      await ensureManaged().catch((err: unknown) => log.error({ err }, 'edge: could not restart the managed Caddy'));
      await waitForCaddy(client, log);
      await resyncAll().catch((err: unknown) => log.error({ err }, 'edge: re-sync after engine restart failed'));
    },

    async sync(tenantId: string, tenant: DesiredTenant | null): Promise<{ problems: EdgeProblem[] }> {
      if (resyncing) await resyncing.catch(() => undefined);
      const { records, problems } = recordsOf(tenant ? [tenant] : []);
      try {
        const result = await table.applyTenant(tenantId, records);
        if (result.put + result.deleted > 0) onChanged();
        return { problems: [...problems, ...rejectedAsProblems(result.rejected, records)].map(toEdgeProblem) };
      } catch (err) {
        if (!(err instanceof TableOutOfSync)) throw err;
        const all = await resyncAll();
        return { problems: all.filter((p) => p.tenantId === tenantId).map(toEdgeProblem) };
      }
    },

    async health() {
      const health = await client.health();
      if (!health.ok) return { ok: false, message: `Caddy's admin API does not answer: ${health.error}` };
      try {
        // Ask the host table itself first: a stock Caddy (no Berth module) answers 404 there, whatever the sync says.
        await client.hostsEtag();
        return (await table.inSync())
          ? { ok: true }
          : { ok: false, message: 'The edge host table is being re-synced.' };
      } catch (err) {
        return {
          ok: false,
          message: `The edge is not a Berth build of Caddy or its host table does not answer: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },

    async stop() {
      if (stopped) return; // a second stop (shutdown after a failed start) has nothing left to close
      stopped = true;
      if (watcher) clearInterval(watcher);
      await pusher.close();
      await client.close();
    },
  };
}

/** SYSTEM_TENANT is the host table's owner of the panel's own hosts: never a tenant id (ids have no `_`). */
export const SYSTEM_TENANT = '_berth';

/**
 * systemRecords are the panel's own hosts at the edge: the console and API on BERTH_PANEL_HOST (to the panel's
 * listener), phpMyAdmin and Adminer on BERTH_DB_ADMIN_HOST (to their container's loopback port). TLS like any
 * host: the internal CA for private TLDs, ACME otherwise. They are part of every full sync, so a restarted
 * Caddy serves them as soon as it has its table back.
 */
export function systemRecords(config: Pick<Config, 'panel' | 'dbAdmin' | 'listen'>): THostRecord[] {
  const loopback = (port: number) => `127.0.0.1:${port}`;
  const listenHost = config.listen.host;
  const panelUpstream =
    listenHost === '0.0.0.0' || listenHost === '::' || listenHost === 'localhost' || listenHost === '127.0.0.1'
      ? loopback(config.listen.port)
      : `${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${config.listen.port}`;
  const records: THostRecord[] = [];
  const add = (host: string | null, site: string, upstream: string) => {
    if (host === null) return;
    records.push({
      host,
      tenant: SYSTEM_TENANT,
      site,
      domain: site,
      tls: { mode: defaultTlsMode(host) === 'internal' ? 'internal' : 'auto' },
      action: 'proxy',
      upstream,
    });
  };
  add(config.panel.host, 'panel', panelUpstream);
  add(config.dbAdmin.host, 'dbadmin', loopback(config.dbAdmin.port));
  return records;
}

function rejectedAsProblems(rejected: { host: string; error: string }[], records: THostRecord[]): RecordProblem[] {
  const byHost = new Map(records.map((r) => [r.host, r]));
  return rejected.flatMap(({ host, error }) => {
    const record = byHost.get(host);
    return record
      ? [{ tenantId: record.tenant, siteId: record.site, domainId: record.domain, host, reason: error }]
      : [];
  });
}

function toEdgeProblem(p: RecordProblem): EdgeProblem {
  return { siteId: p.siteId, host: p.host, reason: p.reason };
}

async function waitForCaddy(client: CaddyAdminClient, log: FastifyBaseLogger, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await client.health();
    if (health.ok) return;
    if (Date.now() > deadline) {
      log.warn({ error: String(health.error) }, 'edge: Caddy admin API not reachable yet; the watch keeps trying');
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
