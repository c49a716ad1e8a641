import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { Reconciler } from '@berth/reconciler';
import {
  createDbAdminTicket,
  createDockerDriver,
  createEgressConverger,
  ensureDbAdmin,
  sweepDbAdminTickets,
  type DockerDriver,
  DATABASES_OWNER,
  EDGE_OWNER,
  isServiceOwner,
  pingDocker,
  runSiteCommand,
  SITES_MOUNT,
  SFTP_OWNER,
  watchDockerEvents,
  type EgressConverger,
} from '@berth/runtime';
import type { Config } from '../config.js';
import type { ControlPorts } from '../ports.js';
import type { Services } from '../services.js';
import { createAppsAdapter } from './apps.adapter.js';
import { BackupWorker } from './backup.worker.js';
import { CronScheduler } from './cron.scheduler.js';
import { SftpAdapter } from './sftp.adapter.js';
import { createCacheAdapter } from './cache.adapter.js';
import { DatabaseAdapter, databaseServerLimits, type AdminTool } from './database.adapter.js';
import { CertificateProber } from './certificate-prober.js';
import { PrismaDesiredStore } from './desired-store.js';
import { createEdgeAdapter } from './edge.adapter.js';
import { createRuntimeAdapter } from './runtime.adapter.js';
import { SiteProber } from './site-prober.js';

export interface ControlPlane {
  reconciler: Reconciler;
  databases: DatabaseAdapter;
  backups: BackupWorker;
  cron: CronScheduler;
  sftp: SftpAdapter;
  /** Waits until no reconcile pass is running (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startControlPlane connects the desired state to the real world: it starts the edge (edge.adapter.ts),
 * starts the reconciler (at start, on every API write, on a timer and on Docker events) with the runtime
 * and the edge as its ports, and binds the API's health and cache ports (`ports`, created before the server).
 * The panel keeps serving its API when Docker or Caddy are down; passes retry with backoff.
 */
export async function startControlPlane({
  config,
  db,
  services,
  ports,
  logger,
}: {
  config: Config;
  db: Db;
  services: Pick<Services, 'notifier' | 'dataKey'>;
  ports: ControlPorts;
  logger: FastifyBaseLogger;
}): Promise<ControlPlane> {
  const log = logger.child({ op: 'control' });
  // The API already answers while the edge starts: remember every change from now on, so none is lost
  // before the reconciler exists (it replays them as soon as it does).
  const early = new Set<string>();
  let onChange = (tenantId: string) => void early.add(tenantId);
  const listener = (tenantId: string) => onChange(tenantId);
  services.notifier.on('changed', listener);
  const driver = createDockerDriver({ dataDir: config.dataDir, profile: config.imageProfile, logger: log });
  const store = new PrismaDesiredStore({ db, dataKey: services.dataKey });

  const egress = config.egress ? createEgressConverger(driver) : undefined;
  const runtime = createRuntimeAdapter({
    driver,
    tenantNetworks: config.tenantNetworks,
    ...(egress ? { egress } : {}),
  });
  if (egress) await restoreEgress({ egress, store, log });

  const databases = new DatabaseAdapter({
    db,
    dataKey: services.dataKey,
    driver,
    limits: {
      mariadb: databaseServerLimits(config.databaseServers.mariadbMemoryMb),
      postgresql: databaseServerLimits(config.databaseServers.postgresqlMemoryMb),
    },
    logger: log,
    ...(config.dbAdmin.host ? { adminTool: dbAdminTool(driver, config.dbAdmin.port) } : {}),
  });
  ports.databases.bind(databases);
  const prober =
    config.edge.mode === 'off' ? null : new CertificateProber({ db, httpsPort: config.edgePorts.https, logger: log });
  const edge = createEdgeAdapter({ config, driver, store, logger: log, onChanged: () => prober?.soon() });
  await edge?.start();
  prober?.start();

  const reconciler = new Reconciler({
    store,
    runtime,
    edge: edge ?? { sync: async () => ({ problems: [] }) },
    logger: log,
  });

  const siteProber =
    config.edge.mode === 'off'
      ? null
      : new SiteProber({
          db,
          store,
          ports: config.edgePorts,
          intervalMs: config.siteProbeIntervalMs,
          provisionTimeoutMs: config.provisionTimeoutMs,
          busy: (tenantId) => reconciler.busy(tenantId),
          repair: (tenantId) => void reconciler.enqueue(tenantId),
          logger: log,
        });

  const backups = new BackupWorker({
    db,
    driver,
    repo: config.backups.repo,
    hourUtc: config.backups.hourUtc,
    terminatedDays: config.backups.terminatedDays,
    logger: log,
    ensureDatabase: (engine, name) => databases.createDatabase(engine, name),
  });
  const cron = new CronScheduler({
    db,
    sitesMount: SITES_MOUNT,
    logger: log,
    run: (command) => runSiteCommand(driver, command),
  });
  const sftp = new SftpAdapter({ db, driver, bind: config.sftp.bind, port: config.sftp.port, logger: log });
  ports.backups.bind(backups);
  ports.cron.bind(cron);
  ports.sftp.bind(sftp);

  onChange = (tenantId: string) => {
    void reconciler.enqueue(tenantId);
    // A suspension locks the tenant's database users and SFTP login, a termination drops its databases.
    databases.converge();
    sftp.converge();
  };
  for (const tenantId of early) onChange(tenantId);
  ports.health.bind({
    async docker() {
      try {
        await pingDocker(driver);
        return { ok: true };
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
    },
    async caddy() {
      return edge ? edge.health() : { ok: false, message: 'The edge is off (BERTH_EDGE=off).' };
    },
    reconciler: () => reconciler.health(),
  });
  ports.cache.bind(createCacheAdapter(driver));
  ports.apps.bind(createAppsAdapter(driver, log));
  const events = watchDockerEvents(driver, (change) => {
    if (change.kind === 'engine-reconnected') {
      databases.serverChanged();
      void recoverFromEngineRestart();
    } else if (change.tenantId === DATABASES_OWNER) {
      if (['die', 'destroy', 'stop', 'kill'].includes(change.action)) databases.serverChanged();
    } else if (change.tenantId === SFTP_OWNER) {
      if (['die', 'destroy'].includes(change.action)) sftp.converge();
    } else if (change.tenantId !== EDGE_OWNER && !isServiceOwner(change.tenantId))
      void reconciler.enqueue(change.tenantId);
  });
  /** After the engine restarts: make sure the managed Caddy runs with every host, converge every tenant. */
  async function recoverFromEngineRestart(): Promise<void> {
    log.warn({}, 'docker: engine reconnected; re-checking the edge and every tenant');
    await edge?.recover();
    await reconciler
      .reconcileAll()
      .catch((err: unknown) => log.error({ err }, 'reconciler: pass after engine restart failed'));
  }

  // The first full pass runs in the background: the API answers while tenants converge.
  void reconciler.start({ intervalMs: config.reconcileIntervalMs });
  siteProber?.start();
  databases.start(config.reconcileIntervalMs);
  sftp.start(config.reconcileIntervalMs);
  await backups.start();
  await cron.start();

  return {
    reconciler,
    databases,
    backups,
    cron,
    sftp,
    idle: () => reconciler.idle(),
    async stop() {
      services.notifier.off('changed', listener);
      events.stop();
      prober?.stop();
      siteProber?.stop();
      reconciler.stop();
      await cron.stop();
      await backups.stop();
      await sftp.stop();
      await databases.stop();
      await edge?.stop();
    },
  };
}

/** TICKET_TTL_S: a sign-in link to phpMyAdmin/Adminer works once, within two minutes. */
const TICKET_TTL_S = 120;

/** dbAdminTool runs phpMyAdmin/Adminer on 127.0.0.1:`port` (the edge proxies BERTH_DB_ADMIN_HOST to it). */
function dbAdminTool(driver: DockerDriver, port: number): AdminTool {
  let running = false;
  return {
    async ensure() {
      // Cheap when it runs unchanged, but a sign-in must not wait for Apache's check each time.
      if (running) return;
      await ensureDbAdmin(driver, { hostPort: port });
      running = true;
      setTimeout(() => (running = false), 60_000).unref();
    },
    async sweep() {
      await sweepDbAdminTickets(driver);
    },
    async ticket(engine, login) {
      const link = await createDbAdminTicket(driver, { engine, ...login, ttlSeconds: TICKET_TTL_S });
      return { path: link.path, expiresAt: link.expiresAt };
    },
  };
}

/**
 * restoreEgress puts the egress rules back at start, with every plan's allow-list, before the first pass:
 * after a host reboot the kernel has none while Docker already restarted the tenants' containers. A plan
 * whose allow-list is refused leaves its tenants on the default rules (their pass then reports why).
 */
async function restoreEgress({
  egress,
  store,
  log,
}: {
  egress: EgressConverger;
  store: PrismaDesiredStore;
  log: FastifyBaseLogger;
}): Promise<void> {
  try {
    for (const tenant of await store.loadAll()) {
      try {
        egress.setAllow(tenant.id, tenant.plan.egressAllow ?? []);
      } catch (err) {
        log.warn({ err, tenantId: tenant.id }, 'egress: plan allow-list refused; the tenant keeps the default rules');
      }
    }
    await egress.converge();
  } catch (err) {
    log.error({ err }, 'egress: rules could not be restored at start; tenant passes retry');
  }
}
