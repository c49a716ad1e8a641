import type { Db, DomainModel } from '@berth/db';
import { newId } from '@berth/db';
import type {
  TCertificateStatus,
  TDomain,
  ZCreateDomainRequest,
  ZUpdateDomainRequest,
  ZUploadCertificateRequest,
  ZVerifyDomainRequest,
} from '@berth/contracts';
import { defaultTlsMode, resolveDomainHosts, wwwTwinProblem, type TWwwRedirect } from '@berth/contracts';
import type { z } from 'zod';
import { requireNotBilling, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import type { DesiredStateNotifier } from '../desired-state.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import type { DataKey } from '../secrets/data-key.js';
import { checkCertificate } from './certificate-check.js';
import { toDomain } from '../records/domain.record.js';
import { insertDomain } from '../sites/site-records.js';
import { newVerifyToken, verificationRecord, type DomainVerifier } from './domain-verification.js';

function hostnameTaken(hostname: string, field: 'hostname' | 'wwwRedirect' = 'hostname'): AppError {
  const message =
    field === 'hostname'
      ? `${hostname} is already added on this panel. Each hostname can belong to one site only.`
      : `The www twin ${hostname} is already served by another domain on this panel; choose "none" or remove that domain first.`;
  return new AppError('HOSTNAME_TAKEN', message, {
    details: { issues: [{ in: 'body', path: [field], message: 'Already in use.' }] },
  });
}

type DomainTx = Pick<Db, 'domain'>;

/**
 * assertHostsFree refuses a domain whose names (its hostname and, with a www redirect, its twin) are
 * already answered by another domain, directly or as that domain's own twin. Checked here, at the API,
 * so the edge never receives two records for one host.
 */
export async function assertHostsFree(
  tx: DomainTx,
  domain: { hostname: string; wwwRedirect: TWwwRedirect },
  opts: { reserved: readonly string[]; excludeId?: string },
): Promise<void> {
  const { excludeId } = opts;
  const problem = wwwTwinProblem(domain.hostname, domain.wwwRedirect);
  if (problem !== null) {
    throw new AppError('VALIDATION_FAILED', problem, {
      details: { issues: [{ in: 'body', path: ['wwwRedirect'], message: problem }] },
    });
  }
  const hosts = resolveDomainHosts(domain).all;
  const own = hosts.find((h) => opts.reserved.includes(h));
  if (own !== undefined) {
    throw new AppError('HOSTNAME_TAKEN', `${own} is this panel's own address; choose another hostname.`, {
      details: {
        issues: [{ in: 'body', path: [own === domain.hostname ? 'hostname' : 'wwwRedirect'], message: 'Reserved.' }],
      },
    });
  }
  // Names whose own twin could be one of ours: the host itself, www.<host>, and <host> without www.
  const candidates = new Set(hosts.flatMap((h) => [h, `www.${h}`, ...(h.startsWith('www.') ? [h.slice(4)] : [])]));
  const rows = await tx.domain.findMany({
    where: { hostname: { in: [...candidates] }, ...(excludeId !== undefined ? { id: { not: excludeId } } : {}) },
  });
  for (const row of rows.map(toDomain)) {
    const taken = resolveDomainHosts(row).all.find((h) => hosts.includes(h));
    if (taken !== undefined) throw hostnameTaken(taken, taken === domain.hostname ? 'hostname' : 'wwwRedirect');
  }
}

/** DomainsService attaches hostnames to sites; a hostname is unique across the whole panel. */
export class DomainsService {
  constructor(
    private readonly deps: { db: Db; notifier: DesiredStateNotifier; dataKey: DataKey; verifier: DomainVerifier },
  ) {}

  async listForSite(ctx: RequestContext, siteId: string): Promise<{ items: TDomain[]; total: number }> {
    requireNotBilling(ctx.principal);
    const site = await this.deps.db.site.findFirst({
      where: { id: siteId, tenantId: tenantScope(ctx.principal) },
      select: { id: true },
    });
    if (!site) throw notFound('Site');
    const rows = await this.deps.db.domain.findMany({ where: { siteId }, orderBy: { createdAt: 'asc' } });
    return { items: rows.map(toDomain), total: rows.length };
  }

  async get(ctx: RequestContext, id: string): Promise<TDomain> {
    requireNotBilling(ctx.principal);
    return toDomain(await this.findScoped(ctx, id));
  }

  async create(ctx: RequestContext, siteId: string, input: z.output<typeof ZCreateDomainRequest>): Promise<TDomain> {
    requireWrite(ctx.principal);
    const { db } = this.deps;
    const site = await db.site.findFirst({
      where: { id: siteId, tenantId: tenantScope(ctx.principal) },
      include: { tenant: { include: { plan: true } } },
    });
    if (!site) throw notFound('Site');
    if (site.tenant.status === 'suspended')
      throw new AppError(
        'TENANT_SUSPENDED',
        'This account is suspended; domains cannot be added until it is unsuspended.',
      );
    if (input.tls === 'custom') throw customNeedsUpload();
    const id = newId();
    try {
      await db.$transaction(async (tx) => {
        const count = await tx.domain.count({ where: { tenantId: site.tenantId } });
        if (count >= site.tenant.plan.maxDomains) {
          throw new AppError(
            'PLAN_LIMIT_REACHED',
            `The plan allows ${site.tenant.plan.maxDomains} domain(s); remove one or move to a larger plan.`,
          );
        }
        await assertHostsFree(
          tx,
          { hostname: input.hostname, wwwRedirect: input.wwwRedirect ?? 'none' },
          { reserved: this.deps.verifier.reserved },
        );
        await insertDomain(tx, ctx, { ...input, id, siteId, tenantId: site.tenantId }, this.deps.verifier);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw hostnameTaken(input.hostname);
      throw error;
    }
    this.deps.notifier.tenantChanged(site.tenantId);
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: string, input: z.output<typeof ZUpdateDomainRequest>): Promise<TDomain> {
    requireWrite(ctx.principal);
    const row = await this.findScoped(ctx, id);
    if (input.tls === 'custom' && !row.customCertPem) throw customNeedsUpload();
    if (input.kind === 'redirect' && !row.redirectTo) {
      throw new AppError(
        'VALIDATION_FAILED',
        'To make a redirect domain, add it again with kind "redirect" and redirectTo.',
      );
    }
    await this.deps.db.$transaction(async (tx) => {
      if (input.wwwRedirect !== undefined)
        await assertHostsFree(
          tx,
          { hostname: row.hostname, wwwRedirect: input.wwwRedirect },
          { reserved: this.deps.verifier.reserved, excludeId: id },
        );
      await tx.domain.update({
        where: { id },
        data: { tlsMode: input.tls, kind: input.kind, wwwRedirect: input.wwwRedirect },
      });
      await recordEvent(tx, ctx, {
        action: 'domain.update',
        targetType: 'domain',
        targetId: id,
        tenantId: row.tenantId,
        details: { ...input },
      });
    });
    this.deps.notifier.tenantChanged(row.tenantId);
    return this.get(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    const row = await this.findScoped(ctx, id);
    await this.deps.db.$transaction(async (tx) => {
      await tx.domain.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'domain.delete',
        targetType: 'domain',
        targetId: id,
        tenantId: row.tenantId,
        details: { hostname: row.hostname },
      });
    });
    this.deps.notifier.tenantChanged(row.tenantId);
  }

  /**
   * verify checks the hostname's DNS for its verification record (or an address of this server) and marks
   * it verified, which puts it on the edge; an administrator may vouch for it with `override`.
   */
  async verify(ctx: RequestContext, id: string, input: z.output<typeof ZVerifyDomainRequest>): Promise<TDomain> {
    requireWrite(ctx.principal);
    const row = await this.findScoped(ctx, id);
    if (row.verifiedAt) return toDomain(row);
    let via: string;
    if (input.override) {
      if (ctx.principal.role !== 'admin')
        throw new AppError('FORBIDDEN', 'Only an administrator can vouch for a hostname without DNS proof.');
      via = 'administrator';
    } else {
      const token = row.verifyToken ?? newVerifyToken();
      if (!row.verifyToken) await this.deps.db.domain.update({ where: { id }, data: { verifyToken: token } });
      const outcome = await this.deps.verifier.check(row.hostname, token);
      if (!outcome.ok) {
        const record = verificationRecord(row.hostname, token);
        const seen =
          outcome.found.length > 0 ? ` DNS shows: ${outcome.found.join('; ')}.` : ' DNS shows no such record yet.';
        throw new AppError(
          'DOMAIN_NOT_VERIFIED',
          `Publish a TXT record ${record.name} with the value ${record.value}, then try again (DNS changes can take a few minutes).${seen}`,
          {
            details: { recordName: record.name, recordValue: record.value, found: outcome.found },
          },
        );
      }
      via = outcome.via;
    }
    await this.deps.db.$transaction(async (tx) => {
      await tx.domain.update({ where: { id }, data: { verifiedAt: new Date() } });
      await recordEvent(tx, ctx, {
        action: 'domain.verify',
        targetType: 'domain',
        targetId: id,
        tenantId: row.tenantId,
        details: { hostname: row.hostname, via },
      });
    });
    this.deps.notifier.tenantChanged(row.tenantId);
    return this.get(ctx, id);
  }

  /** uploadCertificate checks and stores a custom certificate (key encrypted) and switches the domain to it. */
  async uploadCertificate(
    ctx: RequestContext,
    id: string,
    input: z.output<typeof ZUploadCertificateRequest>,
  ): Promise<TCertificateStatus> {
    requireWrite(ctx.principal);
    const row = await this.findScoped(ctx, id);
    const cert = checkCertificate({
      hostname: row.hostname,
      certificatePem: input.certificatePem,
      privateKeyPem: input.privateKeyPem,
    });
    await this.deps.db.$transaction(async (tx) => {
      await tx.domain.update({
        where: { id },
        data: {
          tlsMode: 'custom',
          customCertPem: cert.chainPem,
          customKeyEnc: this.deps.dataKey.encrypt(cert.keyPem),
          certIssuer: cert.issuer,
          certNotAfter: cert.notAfter,
          certCheckedAt: new Date(),
          certError: null,
        },
      });
      await recordEvent(tx, ctx, {
        action: 'domain.certificate-upload',
        targetType: 'domain',
        targetId: id,
        tenantId: row.tenantId,
        details: { issuer: cert.issuer, notAfter: cert.notAfter.toISOString() },
      });
    });
    this.deps.notifier.tenantChanged(row.tenantId);
    return this.certificateStatus(ctx, id);
  }

  /** removeCertificate forgets an uploaded certificate; the domain goes back to its default TLS mode. */
  async removeCertificate(ctx: RequestContext, id: string): Promise<TCertificateStatus> {
    requireWrite(ctx.principal);
    const row = await this.findScoped(ctx, id);
    if (!row.customCertPem) throw notFound('Uploaded certificate');
    await this.deps.db.$transaction(async (tx) => {
      await tx.domain.update({
        where: { id },
        data: {
          tlsMode: defaultTlsMode(row.hostname),
          customCertPem: null,
          customKeyEnc: null,
          certIssuer: null,
          certNotAfter: null,
          certCheckedAt: null,
          certError: null,
        },
      });
      await recordEvent(tx, ctx, {
        action: 'domain.certificate-remove',
        targetType: 'domain',
        targetId: id,
        tenantId: row.tenantId,
      });
    });
    this.deps.notifier.tenantChanged(row.tenantId);
    return this.certificateStatus(ctx, id);
  }

  async certificateStatus(ctx: RequestContext, id: string): Promise<TCertificateStatus> {
    requireNotBilling(ctx.principal);
    const row = await this.findScoped(ctx, id);
    return {
      hostname: row.hostname,
      tls: toDomain(row).tls,
      issuer: row.certIssuer,
      notAfter: row.certNotAfter?.toISOString() ?? null,
      checkedAt: row.certCheckedAt?.toISOString() ?? null,
      error: row.certError,
    };
  }

  private async findScoped(ctx: RequestContext, id: string): Promise<DomainModel> {
    const row = await this.deps.db.domain.findFirst({ where: { id, tenantId: tenantScope(ctx.principal) } });
    if (!row) throw notFound('Domain');
    return row;
  }
}

function customNeedsUpload(): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    'Upload the certificate with PUT /api/v1/domains/{id}/certificate; that switches the domain to custom TLS.',
    {
      details: { issues: [{ in: 'body', path: ['tls'], message: 'Upload a certificate to use custom TLS.' }] },
    },
  );
}
