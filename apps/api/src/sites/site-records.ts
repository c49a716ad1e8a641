import {
  defaultTlsMode,
  type TDomainKind,
  type TSiteRuntime,
  type TSiteSettings,
  type TTlsMode,
  type TWwwRedirect,
} from '@berth/contracts';
import type { RequestContext } from '../auth/principal.js';
import { initialVerification, type DomainVerifier } from '../domains/domain-verification.js';
import { recordEvent } from '../events/events.service.js';
import { siteColumns } from '../records/site.record.js';
import type { Tx } from '../tenants/tenant-records.js';

type Caller = Pick<RequestContext, 'principal' | 'ip'>;

/** NewSite is a site about to be written: its runtime and settings already checked against the plan (checkPlanAllows). */
export interface NewSite {
  id: string;
  tenantId: string;
  name: string;
  runtime: TSiteRuntime;
  settings: TSiteSettings;
}

/** NewDomain is a domain about to be written: its hostname already checked free (assertHostsFree). Omitted fields take their defaults. */
export interface NewDomain {
  id: string;
  tenantId: string;
  siteId: string;
  hostname: string;
  kind?: TDomainKind;
  redirectTo?: string;
  redirectCode?: 301 | 302;
  tls?: TTlsMode;
  wwwRedirect?: TWwwRedirect;
}

/**
 * insertSite writes a site (status `pending`) and its `site.create` event inside the caller's transaction.
 * POST /sites and the billing one-call create (POST /accounts) both use it, so a site looks the same
 * whichever way it was made.
 */
export async function insertSite(tx: Tx, ctx: Caller, site: NewSite): Promise<void> {
  await tx.site.create({ data: { id: site.id, tenantId: site.tenantId, name: site.name, ...siteColumns(site) } });
  await recordEvent(tx, ctx, {
    action: 'site.create',
    targetType: 'site',
    targetId: site.id,
    tenantId: site.tenantId,
    details: { name: site.name, runtime: site.runtime },
  });
}

/**
 * insertDomain writes a domain and its `domain.create` event inside the caller's transaction: `primary` unless
 * said otherwise, a redirect answering 301 unless 302 is asked for, TLS by the hostname's default mode, no www
 * twin, and the ownership check the verifier's policy starts it under. POST /sites/{id}/domains and the
 * billing one-call create both use it.
 */
export async function insertDomain(
  tx: Tx,
  ctx: Caller,
  domain: NewDomain,
  verifier: Pick<DomainVerifier, 'required'>,
): Promise<void> {
  const kind = domain.kind ?? 'primary';
  await tx.domain.create({
    data: {
      id: domain.id,
      hostname: domain.hostname,
      siteId: domain.siteId,
      tenantId: domain.tenantId,
      kind,
      redirectTo: domain.redirectTo ?? null,
      redirectCode: kind === 'redirect' ? (domain.redirectCode ?? 301) : null,
      tlsMode: domain.tls ?? defaultTlsMode(domain.hostname),
      wwwRedirect: domain.wwwRedirect ?? 'none',
      ...initialVerification(verifier),
    },
  });
  await recordEvent(tx, ctx, {
    action: 'domain.create',
    targetType: 'domain',
    targetId: domain.id,
    tenantId: domain.tenantId,
    details: { hostname: domain.hostname, siteId: domain.siteId },
  });
}
