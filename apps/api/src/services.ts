import type { Db } from '@berth/db';
import type { ReconcilerHealth } from '@berth/reconciler';
import { AuthService } from './auth/auth.service.js';
import { TwoFactorService } from './auth/two-factor.service.js';
import { AccountsService } from './billing/accounts.service.js';
import { SsoService } from './billing/sso.service.js';
import type { Config } from './config.js';
import { DesiredStateNotifier } from './desired-state.js';
import { DomainsService } from './domains/domains.service.js';
import { DomainVerifier, loadDomainVerificationConfig, type DomainVerificationConfig } from './domains/domain-verification.js';
import { ReadCache } from './http/read-cache.js';
import { DataKey } from './secrets/data-key.js';
import { PlansService } from './plans/plans.service.js';
import { SitesService } from './sites/sites.service.js';
import { TenantsService } from './tenants/tenants.service.js';
import { TokensService } from './tokens/tokens.service.js';
import { loadWebhookConfig, type WebhookConfig } from './webhooks/webhooks.config.js';
import { WebhooksService } from './webhooks/webhooks.service.js';

/** Services is everything routes may call; built once per process around one database client. */
export interface Services {
  db: Db;
  notifier: DesiredStateNotifier;
  auth: AuthService;
  twoFactor: TwoFactorService;
  plans: PlansService;
  tenants: TenantsService;
  sites: SitesService;
  domains: DomainsService;
  tokens: TokensService;
  accounts: AccountsService;
  sso: SsoService;
  webhooks: WebhooksService;
  readCache: ReadCache;
  dataKey: DataKey;
  /** Cache operations on tenants' Varnish; set by the control plane (absent when it does not run). */
  cache?: CachePort;
  /** Health probes of Docker and the edge; set by the control plane. */
  health?: HealthPort;
}

/** HealthPort checks the outside systems the control plane depends on. */
export interface HealthPort {
  docker(): Promise<{ ok: boolean; message?: string }>;
  caddy(): Promise<{ ok: boolean; message?: string }>;
  /** The reconciler's own state: tenants whose passes fail, and the oldest of them. */
  reconciler(): ReconcilerHealth;
}

/**
 * CachePort purges a tenant's Varnish: one URL, or everything of a host. It fails with a CachePortError
 * when it cannot; any other error is a bug.
 */
export interface CachePort {
  purgeUrl(tenantId: string, url: string): Promise<void>;
  banHost(tenantId: string, host: string): Promise<void>;
}

/**
 * CachePortError is how a CachePort says why it could not purge: `not-running` (the tenant's Varnish is not
 * running or does not answer: still starting, stopped or failed) or `unavailable` (Docker does not answer,
 * or Varnish refused). The service turns it into the API's error code.
 */
export class CachePortError extends Error {
  constructor(readonly reason: 'not-running' | 'unavailable', message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CachePortError';
  }
}

export function createServices({
  db,
  config,
}: {
  db: Db;
  config: Pick<Config, 'portRange' | 'dataDir'> & { readCache?: boolean; listen?: Config['listen']; webhooks?: WebhookConfig; domainVerification?: DomainVerificationConfig; requireAdminTwoFactor?: boolean };
}): Services {
  const notifier = new DesiredStateNotifier();
  const auth = new AuthService(db, { requireAdminTwoFactor: config.requireAdminTwoFactor ?? false });
  const dataKey = DataKey.loadOrCreate(config.dataDir);
  const tenants = new TenantsService({ db, auth, notifier, portRange: config.portRange });
  const sso = new SsoService({ db });
  const webhookConfig = config.webhooks ?? loadWebhookConfig();
  const verifier = new DomainVerifier(config.domainVerification ?? loadDomainVerificationConfig());
  return {
    db,
    notifier,
    auth,
    twoFactor: new TwoFactorService({ db, dataKey, auth }),
    plans: new PlansService(db, notifier),
    tenants,
    accounts: new AccountsService({ db, auth, tenants, sso, notifyTenantChanged: (id) => notifier.tenantChanged(id), portRange: config.portRange, dataDir: config.dataDir, verifier }),
    sso,
    webhooks: new WebhooksService({ db, dataKey, policy: { allowLoopback: webhookConfig.allowLoopback, panelPort: config.listen?.port } }),
    sites: new SitesService({ db, notifier }),
    domains: new DomainsService({ db, notifier, dataKey, verifier }),
    tokens: new TokensService({ db, auth }),
    dataKey,
    readCache: new ReadCache(db, { maxEntries: 2_000, enabled: config.readCache ?? true }),
  };
}
