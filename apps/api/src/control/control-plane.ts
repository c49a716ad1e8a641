import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { buildCaddyConfig, CaddyAdminClient, CaddyConfigPusher, type CaddyConfig } from '@berth/caddy';
import type { Db } from '@berth/db';
import { customCertificateFiles, Reconciler, toDesiredEdge, toRuntimeSpec, type DesiredTenant, type RuntimePort } from '@berth/reconciler';
import {
  banCache,
  createDockerDriver,
  EDGE_OWNER,
  edgePaths,
  ensureEdge,
  ensureSiteScaffold,
  ensureTenantRuntime,
  observe,
  pingDocker,
  purgeCache,
  removeTenant,
  watchDockerEvents,
} from '@berth/runtime';
import type { Config } from '../config.js';
import type { Services } from '../services.js';
import { renderCaddyfile } from './caddyfile.js';
import { PrismaDesiredStore } from './desired-store.js';
import { CertificateProber } from './certificate-prober.js';

export interface ControlPlane {
  reconciler: Reconciler;
  pusher: CaddyConfigPusher | null;
  /** Waits until no reconcile pass is running (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startControlPlane connects the desired state to the real world: it runs the managed Caddy (or talks to
 * an external one), pushes the whole edge config at start and whenever Caddy comes back empty, starts the
 * reconciler (at start, on every API write, on a timer and on Docker events) and gives the API the cache
 * operations. The panel keeps serving its API when Docker or Caddy are down; passes retry with backoff.
 */
export async function startControlPlane({ config, db, services, logger }: { config: Config; db: Db; services: Services; logger: FastifyBaseLogger }): Promise<ControlPlane> {
  const log = logger.child({ op: 'control' });
  // The API already answers while the edge starts: remember every change from now on, so none is lost
  // before the reconciler exists (it replays them as soon as it does).
  const early = new Set<string>();
  let onChange = (tenantId: string) => void early.add(tenantId);
  const listener = (tenantId: string) => onChange(tenantId);
  services.notifier.on('changed', listener);
  const driver = createDockerDriver({ dataDir: config.dataDir, profile: config.imageProfile, logger: log });
  const store = new PrismaDesiredStore({ db, dataKey: services.dataKey });
  const caddyDir = path.join(config.dataDir, 'caddy');
  const paths = edgePaths(caddyDir);
  const tenantsDir = path.join(config.dataDir, 'tenants');

  const runtime: RuntimePort = {
    async observe(tenantId) {
      const state = await observe(driver, { tenantId });
      return {
        containers: state.containers.map((c) => ({ component: c.component, running: c.running, siteId: c.siteId })),
        networks: state.networks.length,
      };
    },
    async observedTenantIds() {
      const state = await observe(driver);
      const ids = [...state.containers.map((c) => c.tenantId), ...state.networks.map((n) => n.tenantId)];
      return [...new Set(ids)].filter((id) => id !== EDGE_OWNER);
    },
    async ensure(tenant: DesiredTenant) {
      const spec = toRuntimeSpec(tenant, { networkPool: config.tenantNetworks });
      for (const site of spec.sites) {
        await ensureSiteScaffold(driver, spec.tenant, {
          siteId: site.siteId,
          kind: site.kind,
          ...('version' in site ? { version: site.version } : {}),
          ...('documentRoot' in site ? { documentRoot: site.documentRoot } : {}),
        });
      }
      const result = await ensureTenantRuntime(driver, spec);
      return { actions: Object.fromEntries(Object.entries(result.components).map(([k, v]) => [k, v.action])) };
    },
    async remove({ tenantId, deleteFiles }) {
      await removeTenant(driver, { tenantId, deleteSiteFiles: deleteFiles });
    },
  };

  const servingTenants = async (): Promise<Set<string>> => {
    try {
      const seen = await observe(driver);
      return new Set(seen.containers.filter((c) => c.role === 'webserver' && c.running).map((c) => c.tenantId));
    } catch (err) {
      log.warn({ err }, 'edge: Docker unavailable; routing every tenant');
      return new Set((await store.listTenantIds()));
    }
  };
  let pusher: CaddyConfigPusher | null = null;
  let adminClient: CaddyAdminClient | null = null;
  let watcher: { stop(): void } | null = null;
  if (config.edge.mode !== 'off') {
    const socketPath = config.edge.mode === 'managed' ? paths.adminSocket : config.edge.adminSocket;
    if (config.edge.mode === 'managed') {
      const caddyfile = renderCaddyfile({ adminSocket: paths.adminSocket, storageDir: paths.storage, httpPort: config.edgePorts.http, httpsPort: config.edgePorts.https, acmeEmail: config.acme.email });
      try {
        await ensureEdge(driver, { caddyDir, tenantsDir, caddyfile, httpPort: config.edgePorts.http, httpsPort: config.edgePorts.https });
      } catch (err) {
        log.error({ err }, 'edge: could not start the managed Caddy; routes are pushed once it runs');
      }
    }
    const client = new CaddyAdminClient({ address: { socketPath }, logger: log });
    adminClient = client;
    const storageRoot = config.edge.mode === 'managed' ? paths.storage : config.edge.storageDir;
    pusher = new CaddyConfigPusher({
      client,
      logger: log,
      buildDesired: async (): Promise<CaddyConfig> => {
        // Route a tenant only once its webserver runs (suspended tenants always: they get the 503 page).
        // A route to a port nobody listens on fails Caddy's active health check, which then keeps the
        // upstream marked down until the next check, even after the webserver has started.
        const serving = await servingTenants();
        const tenants = (await store.loadAll()).filter((t) => t.status === 'suspended' || serving.has(t.id));
        await writeCustomCertificates(paths.certs, tenants);
        for (const t of tenants) await fs.mkdir(path.join(paths.logs, t.id), { recursive: true, mode: 0o750 });
        return buildCaddyConfig({
          desired: toDesiredEdge(tenants, { tenantsDir, certsDir: paths.certs, logsDir: paths.logs }),
          admin: { listen: `unix/${socketPath}` },
          ...(storageRoot ? { storage: { module: 'file_system', root: storageRoot } } : {}),
          listen: { httpPort: config.edgePorts.http, httpsPort: config.edgePorts.https },
          acme: {
            directory: config.acme.directory === 'letsencrypt' ? 'letsencrypt' : config.acme.directory === 'zerossl' ? 'zerossl' : { url: config.acme.directory },
            ...(config.acme.email ? { email: config.acme.email } : {}),
            ...(config.acme.trustedRootsPemFiles.length > 0 ? { trustedRootsPemFiles: config.acme.trustedRootsPemFiles } : {}),
          },
          onDemand: { permissionEndpoint: `http://${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${config.listen.port}/api/v1/edge/tls-permission` },
          // The webserver answers /.berth/health on its published address. With one upstream per tenant a
          // failed check turns requests into 503s until the next check, so checks run every 10 s: a
          // restarted or unsuspended tenant is back within that.
          upstream: { healthCheckUri: '/.berth/health', healthCheckInterval: '10s' },
        });
      },
    });
    await waitForCaddy(client, log);
    const first = await pusher.pushNow({ force: true });
    if (first.status === 'failed') log.error({ err: first.error }, 'edge: first push failed; retrying in the background');
    watcher = pusher.watch({ intervalMs: 3_000 });
  }

  const prober = config.edge.mode === 'off' ? null : new CertificateProber({ db, httpsPort: config.edgePorts.https, logger: log });
  prober?.start();

  const reconciler = new Reconciler({
    store,
    runtime,
    edge: {
      async push() {
        if (!pusher) return;
        // Nothing was written since the last good push: the edge config cannot have changed, so skip
        // rebuilding it (at a thousand domains that is most of a pass). Caddy losing its config is the
        // pusher's watch's job.
        // The pusher coalesces concurrent requests and does not reload Caddy for an identical config.
        const outcome = await pusher.schedule();
        if (outcome.status === 'failed') throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
        if (outcome.status === 'pushed') prober?.soon();
      },
    },
    logger: log,
  });

  onChange = (tenantId: string) => void reconciler.enqueue(tenantId);
  for (const tenantId of early) onChange(tenantId);
  services.health = {
    async docker() {
      try {
        await pingDocker(driver);
        return { ok: true };
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
    },
    async caddy() {
      if (!adminClient) return { ok: false, message: 'The edge is off (BERTH_EDGE=off).' };
      const health = await adminClient.health();
      return health.ok ? { ok: true } : { ok: false, message: `Caddy's admin API does not answer: ${String(health.error)}` };
    },
  };
  services.cache = {
    purgeUrl: (tenantId, url) => purgeCache(driver, { tenantId, url }),
    banHost: (tenantId, host) => banCache(driver, { tenantId, host }),
  };
  const events = watchDockerEvents(driver, (change) => {
    if (change.kind === 'engine-reconnected') void recoverFromEngineRestart();
    else if (change.tenantId !== EDGE_OWNER) void reconciler.enqueue(change.tenantId);
  });
  /** After the engine restarts: make sure the managed Caddy runs, give it the whole config, converge every tenant. */
  async function recoverFromEngineRestart(): Promise<void> {
    log.warn({}, 'docker: engine reconnected; re-checking the edge and every tenant');
    if (config.edge.mode === 'managed') {
      const caddyfile = renderCaddyfile({ adminSocket: paths.adminSocket, storageDir: paths.storage, httpPort: config.edgePorts.http, httpsPort: config.edgePorts.https, acmeEmail: config.acme.email });
      await ensureEdge(driver, { caddyDir, tenantsDir, caddyfile, httpPort: config.edgePorts.http, httpsPort: config.edgePorts.https }).catch((err: unknown) => log.error({ err }, 'edge: could not restart the managed Caddy'));
    }
    await reconciler.reconcileAll().catch((err: unknown) => log.error({ err }, 'reconciler: pass after engine restart failed'));
    if (pusher) await pusher.pushNow({ force: true });
  }

  // The first full pass runs in the background: the API answers while tenants converge.
  void reconciler.start({ intervalMs: config.reconcileIntervalMs });

  return {
    reconciler,
    pusher,
    idle: () => reconciler.idle(),
    async stop() {
      services.notifier.off('changed', listener);
      events.stop();
      watcher?.stop();
      prober?.stop();
      reconciler.stop();
      await pusher?.close();
    },
  };
}

/** writeCustomCertificates materializes uploaded certificates for Caddy (0600) and removes stale ones. */
async function writeCustomCertificates(certsDir: string, tenants: DesiredTenant[]): Promise<void> {
  await fs.mkdir(certsDir, { recursive: true, mode: 0o700 });
  const wanted = new Set<string>();
  for (const domain of tenants.flatMap((t) => t.sites.flatMap((s) => s.domains))) {
    if (!domain.customCertificate) continue;
    const files = customCertificateFiles(certsDir, domain.id);
    wanted.add(path.basename(files.certificateFile)).add(path.basename(files.keyFile));
    await fs.writeFile(files.certificateFile, domain.customCertificate.chainPem, { mode: 0o600 });
    await fs.writeFile(files.keyFile, domain.customCertificate.keyPem, { mode: 0o600 });
  }
  for (const name of await fs.readdir(certsDir)) if (!wanted.has(name)) await fs.rm(path.join(certsDir, name), { force: true });
}

async function waitForCaddy(client: CaddyAdminClient, log: FastifyBaseLogger, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await client.health();
    if (health.ok) return;
    if (Date.now() > deadline) {
      log.warn({ error: String(health.error) }, 'edge: Caddy admin API not reachable yet; the watcher keeps trying');
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
