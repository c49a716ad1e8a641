import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { AuthService } from './auth/auth.service.js';
import { TwoFactorService } from './auth/two-factor.service.js';
import { AccountsService } from './billing/accounts.service.js';
import { SsoService } from './billing/sso.service.js';
import type { Config } from './config.js';
import { DesiredStateNotifier } from './desired-state.js';
import { AppsService } from './apps/apps.service.js';
import { BackupsService } from './backups/backups.service.js';
import { CronService } from './cron/cron.service.js';
import { SftpService, type SftpEndpoint } from './sftp/sftp.service.js';
import { DatabasesService } from './databases/databases.service.js';
import { DomainsService } from './domains/domains.service.js';
import {
  DomainVerifier,
  loadDomainVerificationConfig,
  type DomainVerificationConfig,
} from './domains/domain-verification.js';
import { FilesService } from './files/files.service.js';
import { ReadCache } from './http/read-cache.js';
import { DataKey } from './secrets/data-key.js';
import { PlansService } from './plans/plans.service.js';
import type { ControlPorts } from './ports.js';
import { SitesService } from './sites/sites.service.js';
import { SystemService } from './system/system.service.js';
import { TenantsService } from './tenants/tenants.service.js';
import { TenantUsageMeter } from './tenants/tenant-usage.js';
import { TokensService } from './tokens/tokens.service.js';
import { loadWebhookConfig, type WebhookConfig } from './webhooks/webhooks.config.js';
import { WebhooksService } from './webhooks/webhooks.service.js';

// Declared in ports.ts; re-exported for the control plane's adapters, which import them from here.
export { CachePortError, type CachePort, type HealthPort } from './ports.js';

/**
 * Services is everything routes may call; built once per process around one database client. The control
 * plane's ports reach the services that use them (sites: cache, system: health) as the slots handed to
 * createServices; nothing is set on Services after it is made.
 */
export interface Services {
  db: Db;
  notifier: DesiredStateNotifier;
  auth: AuthService;
  twoFactor: TwoFactorService;
  plans: PlansService;
  tenants: TenantsService;
  sites: SitesService;
  domains: DomainsService;
  databases: DatabasesService;
  apps: AppsService;
  backups: BackupsService;
  cron: CronService;
  sftp: SftpService;
  files: FilesService;
  tokens: TokensService;
  accounts: AccountsService;
  sso: SsoService;
  webhooks: WebhooksService;
  system: SystemService;
  readCache: ReadCache;
  dataKey: DataKey;
}

/** createServices is the composition root of the API: every service with what it depends on, the control plane's ports included. */
export function createServices({
  db,
  config,
  ports,
  log,
}: {
  db: Db;
  config: Pick<Config, 'portRange' | 'dataDir'> & {
    readCache?: boolean;
    listen?: Config['listen'];
    webhooks?: WebhookConfig;
    domainVerification?: DomainVerificationConfig;
    requireAdminTwoFactor?: boolean;
    /** The public URL of phpMyAdmin/Adminer (BERTH_DB_ADMIN_HOST), or null. */
    dbAdminUrl?: string | null;
    /** The edge's ports, in the addresses of sites (80 and 443 when absent). */
    edgePorts?: Config['edgePorts'];
    /** The control plane gives every tenant a disk of its own on its sites/ (the panel; false in unit tests). */
    tenantDisks?: boolean;
    /** How long a files request waits for a new account's disk (ms; 20 s when absent). */
    filesDiskWaitMs?: number;
    /** Where tenants connect over SFTP (BERTH_SFTP_HOST/PORT); this machine's name and 2222 when absent. */
    sftp?: SftpEndpoint;
  };
  ports: ControlPorts;
  log: FastifyBaseLogger;
}): Services {
  const notifier = new DesiredStateNotifier();
  const auth = new AuthService(db, { requireAdminTwoFactor: config.requireAdminTwoFactor ?? false });
  const dataKey = DataKey.loadOrCreate(config.dataDir);
  const edgePorts = config.edgePorts ?? { http: 80, https: 443 };
  const usage = new TenantUsageMeter({ db, dataDir: config.dataDir });
  const tenants = new TenantsService({ db, auth, notifier, portRange: config.portRange, usage });
  const sso = new SsoService({ db });
  const webhookConfig = config.webhooks ?? loadWebhookConfig();
  const verifier = new DomainVerifier(config.domainVerification ?? loadDomainVerificationConfig());
  const databases = new DatabasesService({
    db,
    dataKey,
    dataDir: config.dataDir,
    port: ports.databases,
    adminUrl: config.dbAdminUrl ?? null,
  });
  return {
    db,
    notifier,
    databases,
    apps: new AppsService({ db, databases, port: ports.apps, edgePorts }),
    backups: new BackupsService({ db, port: ports.backups, notifier, portRange: config.portRange, verifier }),
    cron: new CronService({ db, port: ports.cron }),
    sftp: new SftpService({
      db,
      port: ports.sftp,
      endpoint: config.sftp ? { host: config.sftp.host, port: config.sftp.port } : { host: 'localhost', port: 2222 },
    }),
    auth,
    twoFactor: new TwoFactorService({ db, dataKey, auth }),
    plans: new PlansService(db, notifier),
    tenants,
    accounts: new AccountsService({
      db,
      auth,
      tenants,
      sso,
      notifyTenantChanged: (id) => notifier.tenantChanged(id),
      portRange: config.portRange,
      usage,
      verifier,
    }),
    sso,
    webhooks: new WebhooksService({
      db,
      dataKey,
      policy: { allowLoopback: webhookConfig.allowLoopback, panelPort: config.listen?.port },
    }),
    sites: new SitesService({ db, notifier, cache: ports.cache, edgePorts }),
    domains: new DomainsService({ db, notifier, dataKey, verifier }),

    files: new FilesService({
      db,
      dataDir: config.dataDir,
      log,
      tenantDisks: config.tenantDisks ?? false,
      ...(config.filesDiskWaitMs !== undefined ? { diskWaitMs: config.filesDiskWaitMs } : {}),
    }),
    tokens: new TokensService({ db, auth }),
    system: new SystemService({ db, health: ports.health }),
    dataKey,
    readCache: new ReadCache(db, { maxEntries: 2_000, enabled: config.readCache ?? true }),
  };
}
