/**
 * @berth/runtime is the only package that talks to the Docker engine: image catalog, tenant networks and
 * containers, and the pure generators of nginx/apache/PHP-FPM/Varnish configs they run with.
 */
export { RuntimeError, RUNTIME_ERROR_CODES, isRuntimeError, type TRuntimeErrorCode } from './errors.js';
export { resolveImage, parseImageProfile, type ImageRef, type ImageRequest } from './catalog.js';
export { createDockerDriver, pingDocker } from './docker/docker.driver.js';
export { execInContainer, type EnsureResult, type ExecResult } from './docker/container.ops.js';
export { LABELS, hashSpec, isServiceOwner, type ContainerRole } from './labels.js';
export { SITES_MOUNT, networkName, bridgeName, containerName, phpAlias, appAlias } from './naming.js';
export { tenantDir, sitesDir } from './docker/tenant-files.js';

export { renderNginxConfig, type NginxConfigInput } from './config/nginx.config.js';
export { renderApacheConfig, type ApacheConfigInput } from './config/apache.config.js';
export { renderPhpFpmConfig, type PhpFpmConfigInput } from './config/php-fpm.config.js';
export { renderVarnishVcl, type VarnishConfigInput } from './config/varnish.config.js';
export { assignPoolPorts } from './config/php-pools.js';
export {
  buildEgressRuleset,
  egressChainPrefix,
  EGRESS_DENIED,
  SMTP_PORT,
  type EgressTenant,
  type EgressRuleset,
} from './config/egress.rules.js';

export {
  ensureTenantNetwork,
  removeTenantNetwork,
  type SubnetPlan,
  type TenantNetwork,
} from './operations/tenant-network.js';
export { ensureWebserver } from './operations/webserver.js';
export { ensurePhpFpm, reloadTenantPhp } from './operations/php-fpm.js';
export { ensureAppContainer } from './operations/app-container.js';
export { ensureVarnish, VARNISH_COMPONENT } from './operations/varnish.js';
export { purgeCache, banCache } from './operations/cache.js';
export { observe } from './operations/observe.js';
export { removeUnwanted, removeTenant } from './operations/remove.js';
export { expectedComponents, type ComponentSetInput } from './operations/component-set.js';
export { ensureTenantRuntime, type TenantRuntimeSpec, type TenantRuntimeResult } from './operations/tenant-runtime.js';
export { ensureTenantDisk, removeTenantDisk, type TenantDisk } from './operations/tenant-disk.js';
export { ensureTenantsRootShared, releaseTenantsRoot } from './disk/shared-mount.js';
export {
  ensureEgress,
  removeEgress,
  hostResolvers,
  createEgressConverger,
  type EgressConverger,
  type EgressResult,
} from './operations/egress.js';

export type {
  AppSite,
  DockerDriver,
  ImageProfile,
  Logger,
  NumberRange,
  ObservedContainer,
  ObservedNetwork,
  ObservedState,
  ObservedVolume,
  PhpBounds,
  PhpSettings,
  PhpSite,
  PublishedPort,
  ResourceLimits,
  SiteSpec,
  StaticSite,
  TenantIdentity,
  VarnishSpec,
  WebserverSpec,
} from './runtime.types.js';
export { ensureSiteScaffold } from './docker/tenant-files.js';
export {
  ensureEdge,
  removeEdge,
  edgePaths,
  assertEdgePorts,
  EDGE_OWNER,
  EDGE_UID,
  edgeContainerName,
  type EdgeSpec,
} from './operations/edge.js';
export { watchDockerEvents, type DockerChange } from './operations/docker-events.js';
export {
  LAYOUT,
  DOCUMENT_ROOT,
  tenantsRoot,
  tenantSitesDir,
  tenantDiskImage,
  siteDocumentRoot,
  edgeDir,
  edgeLogsDir,
} from './layout.js';
export { DATABASE_ENGINES, assertDatabaseEngine, type DatabaseEngine } from './catalog.js';
export { type ServiceRole } from './labels.js';
export {
  DATABASE_LAYOUT,
  databasesRoot,
  databaseDir,
  databaseDataDir,
  databaseSocketDir,
  databaseConfigDir,
} from './layout.js';
export {
  DATABASE_SERVERS,
  databaseTuning,
  renderDatabaseServerConfig,
  assertSqlName,
  quoteIdent,
  quoteGrantDatabase,
  quoteLiteral,
  parseSqlRows,
  type DatabaseServerContract,
  type DatabaseTuning,
} from './config/database-server.config.js';
export {
  ensureDatabaseServer,
  removeDatabaseServer,
  execSql,
  waitForDatabaseServer,
  databaseSocketBinds,
  databaseContainerName,
  DATABASES_OWNER,
  DATABASE_ROLE,
  type DatabaseServer,
  type DatabaseServerSpec,
  type SqlResult,
} from './operations/database-server.js';

export {
  inventory as databaseInventory,
  isTenantName as isTenantDatabaseName,
  createDatabase,
  dropDatabase,
  createUser as createDatabaseUser,
  setPassword as setDatabaseUserPassword,
  setUserLocked as setDatabaseUserLocked,
  grant as grantDatabase,
  revoke as revokeDatabase,
  dropUser as dropDatabaseUser,
  type ServerInventory,
  type UserSpec as DatabaseUserSpec,
} from './operations/tenant-databases.js';
export {
  installWordPress,
  wordpressInstallerComponent,
  WORDPRESS_INSTALLER_ROLE,
  type WordPressInstallParams,
  type WordPressInstallResult,
} from './operations/wordpress.js';
export {
  renderWpConfig,
  assertSiteUrl,
  phpSingleQuoted,
  WP_DEFAULT_TABLE_PREFIX,
  type WpConfigInput,
} from './config/wordpress.config.js';
export { defaultPhpIndex } from './docker/tenant-files.js';
export { ONE_SHOT_ROLES } from './operations/observe.js';
export { DB_ADMIN_LAYOUT, dbAdminDir, dbAdminSsoDir, dbAdminConfigDir } from './layout.js';
export {
  DB_ADMIN,
  SSO_TOKEN_RE,
  TICKET_TTL_SECONDS,
  TICKET_FILE_RE,
  assertSsoToken,
  ticketFileName,
  ssoPath,
  buildDbAdminTicket,
  renderDbAdminTicket,
  ticketExpiry,
  dbAdminNetworkName,
  type DbAdminContract,
  type DbAdminTicket,
  type DbAdminTicketInput,
} from './config/db-admin.config.js';
export {
  ensureDbAdmin,
  removeDbAdmin,
  createDbAdminTicket,
  sweepDbAdminTickets,
  dbAdminContainerName,
  DB_ADMIN_ROLE,
  DB_ADMIN_LIMITS,
  type DbAdminSpec,
  type DbAdminServer,
  type DbAdminTicketLink,
} from './operations/db-admin.js';
export {
  ensureSftpServer,
  removeSftpServer,
  sftpServerStatus,
  sftpContainerName,
  SFTP_OWNER,
  SFTP_ROLE,
  type SftpAccount,
  type SftpThrottle,
  type SftpServerSpec,
  type SftpServerResult,
} from './operations/sftp.js';
export {
  ensureBackupRepo,
  backupTenant,
  listSnapshots,
  snapshotContents,
  snapshotSize,
  repoStats,
  restoreSites,
  restorePath,
  dumpPath,
  extractPaths,
  forgetSnapshots,
  forgetSnapshot,
  unlockRepo,
  pruneRepo,
  backupKeyFile,
  BACKUP_ROLE,
  BACKUPS_OWNER,
  type BackupResult,
  type ExtraFolder,
  type FileOwner,
  type RetentionPolicy,
  type ResticStats,
  type SnapshotEntry as BackupSnapshotEntry,
  type SnapshotInfo,
} from './operations/backup.js';
export { dumpDatabase, restoreDatabase } from './operations/database-dumps.js';
export { SFTP_LOGIN_RE, DEFAULT_SFTP_THROTTLE } from './config/sftp.config.js';
export { runSiteCommand, type SiteCommandParams, type SiteCommandResult } from './operations/site-command.js';
