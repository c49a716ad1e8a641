import { z } from 'zod';
import { RUNTIME_CATALOG } from './runtime-catalog.js';

export { RUNTIME_CATALOG };

export const RUNTIME_KINDS = ['php', 'node', 'python', 'static'] as const;
export const ZRuntimeKind = z.enum(RUNTIME_KINDS);
export type TRuntimeKind = z.infer<typeof ZRuntimeKind>;

export const PHP_VERSIONS = RUNTIME_CATALOG.php.versions;
/**
 * ZPhpVersion is the one check of a PHP version: its output, TPhpVersion, can only hold a catalog version, so
 * code that receives a TPhpVersion (the reconciler, the runtime's generators) trusts it without checking again.
 */
export const ZPhpVersion = z.enum(PHP_VERSIONS);
export type TPhpVersion = z.infer<typeof ZPhpVersion>;

/** parsePhpVersion turns text from outside (a request, a database row) into a TPhpVersion, or throws a ZodError. */
export function parsePhpVersion(value: string): TPhpVersion {
  return ZPhpVersion.parse(value);
}

/** WEBSERVER_KINDS are the per-tenant webservers Berth can run in front of a tenant's app containers. */
export const WEBSERVER_KINDS = ['nginx', 'apache'] as const;
export const ZWebserverKind = z.enum(WEBSERVER_KINDS);
export type TWebserverKind = z.infer<typeof ZWebserverKind>;

/** isCatalogVersion tells whether `version` is offered for `kind`. */
export function isCatalogVersion(kind: TRuntimeKind, version: string): boolean {
  return (RUNTIME_CATALOG[kind].versions as readonly string[]).includes(version);
}
