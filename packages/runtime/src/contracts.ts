/**
 * This adapter is the one place `packages/runtime` imports the shared runtime catalog from, so that the rest
 * of the package depends on a fixed list of names rather than on how `@berth/contracts` lays out its files.
 */
export {
  RUNTIME_CATALOG,
  ZRuntimeKind,
  PHP_VERSIONS,
  WEBSERVER_KINDS,
  isCatalogVersion,
  parseEgressAllowEntry,
  clampToRange,
  SSH_KEY_TYPES,
} from '@berth/contracts';
export type { TRuntimeKind, TPhpVersion, TWebserverKind, TNumberRange } from '@berth/contracts';
