import type { DomainModel } from '@berth/db';
import { ZDomain, type TDomain, type TDomainVerification } from '@berth/contracts';
import { verificationRecord } from '../domains/domain-verification.js';

function verificationOf(row: DomainModel): TDomainVerification {
  if (row.verifiedAt)
    return { status: 'verified', recordName: null, recordValue: null, verifiedAt: row.verifiedAt.toISOString() };
  const record = row.verifyToken ? verificationRecord(row.hostname, row.verifyToken) : null;
  return { status: 'pending', recordName: record?.name ?? null, recordValue: record?.value ?? null, verifiedAt: null };
}

/**
 * toDomain is the one reading of a Domain row, through ZDomain: kind, TLS mode and www redirect are parsed
 * here, and the ownership check is described from the row's token. The uploaded certificate stays out.
 */
export function toDomain(row: DomainModel): TDomain {
  return ZDomain.parse({
    id: row.id,
    hostname: row.hostname,
    siteId: row.siteId,
    tenantId: row.tenantId,
    kind: row.kind,
    redirectTo: row.redirectTo,
    redirectCode: row.redirectCode,
    tls: row.tlsMode,
    wwwRedirect: row.wwwRedirect,
    verification: verificationOf(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });
}
