import type { AppInstallModel, Db } from '@berth/db';
import { newId } from '@berth/db';
import {
  ZAppInstall,
  type TAppInstall,
  type TStartedAppInstall,
  type ZInstallWordPressRequest,
} from '@berth/contracts';
import type { z } from 'zod';
import { requireNotBilling, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import type { DatabasesService } from '../databases/databases.service.js';
import { generatePassword } from '../databases/databases.service.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { AppsPortError, type AppsPort, type PortSlot } from '../ports.js';
import { siteUrlOf, type EdgePorts } from '../records/site.record.js';

/** STALE_INSTALL_MS: an installation still "installing" after this long was cut short (the panel stopped). */
const STALE_INSTALL_MS = 15 * 60_000;

type InstallRow = AppInstallModel & { site: { domains: { hostname: string; kind: string; tlsMode: string }[] } };

function toAppInstall(row: InstallRow, ports: EdgePorts, now = Date.now()): TAppInstall {
  const stale = row.status === 'installing' && now - row.updatedAt.getTime() > STALE_INSTALL_MS;
  const url = siteUrlOf(row.site.domains, ports);
  return ZAppInstall.parse({
    siteId: row.siteId,
    app: row.app,
    status: stale ? 'failed' : row.status,
    message: stale ? 'The installation was interrupted; install again.' : row.message,
    version: row.version,
    databaseId: row.databaseId,
    adminUser: row.adminUser,
    adminUrl: row.status === 'installed' && url ? `${url}/wp-admin/` : null,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  });
}

const INSTALL_INCLUDE = {
  site: {
    select: { domains: { select: { hostname: true, kind: true, tlsMode: true }, orderBy: { createdAt: 'asc' } } },
  },
} as const;

/**
 * AppsService installs one-click applications into a tenant's PHP site. WordPress: a MariaDB database and user
 * of the tenant's own (counted in its plan), then the files of Debian's WordPress package, a wp-config.php with
 * fresh salts and WordPress's own installation with the administrator given. The request answers when it is
 * done (a few seconds); meanwhile GET …/apps/wordpress shows the step, and each step is an event. A failed
 * installation removes its database again and leaves the site as it was; it can be retried.
 */
export class AppsService {
  constructor(
    private readonly deps: { db: Db; databases: DatabasesService; port: PortSlot<AppsPort>; edgePorts: EdgePorts },
  ) {}

  async get(ctx: RequestContext, siteId: string): Promise<TAppInstall> {
    requireNotBilling(ctx.principal);
    const row = await this.deps.db.appInstall.findFirst({
      where: { siteId, tenantId: tenantScope(ctx.principal) },
      include: INSTALL_INCLUDE,
    });
    if (!row) throw notFound('Application');
    return toAppInstall(row, this.deps.edgePorts);
  }

  async installWordPress(
    ctx: RequestContext,
    siteId: string,
    input: z.output<typeof ZInstallWordPressRequest>,
  ): Promise<TStartedAppInstall> {
    requireWrite(ctx.principal);
    const { db } = this.deps;
    const site = await db.site.findFirst({
      where: { id: siteId, tenantId: tenantScope(ctx.principal) },
      include: { tenant: true, domains: { orderBy: { createdAt: 'asc' } } },
    });
    if (!site) throw notFound('Site');
    const port = await this.deps.port.ready(20_000);
    if (!port) {
      throw new AppError(
        'RUNTIME_UNAVAILABLE',
        'Applications cannot be installed right now (the control plane is not running); try again shortly.',
      );
    }
    if (site.tenant.status === 'suspended')
      throw new AppError('TENANT_SUSPENDED', 'This account is suspended; unsuspend it before installing applications.');
    if (site.runtimeKind !== 'php')
      throw new AppError('APP_NOT_INSTALLABLE', 'WordPress needs a PHP site; create a PHP site for it.');
    if (site.status !== 'live' && site.status !== 'degraded')
      throw new AppError('APP_NOT_INSTALLABLE', 'The site is not live yet; install WordPress once it is.');
    const siteUrl = siteUrlOf(site.domains, this.deps.edgePorts);
    if (!siteUrl)
      throw new AppError('APP_NOT_INSTALLABLE', 'Add a domain to the site first: WordPress is set up for its address.');

    const existing = await db.appInstall.findUnique({ where: { siteId } });
    if (existing && existing.status !== 'failed' && Date.now() - existing.updatedAt.getTime() <= STALE_INSTALL_MS) {
      throw new AppError(
        'APP_NOT_INSTALLABLE',
        existing.status === 'installing'
          ? 'WordPress is being installed on this site right now.'
          : 'WordPress is already installed on this site.',
      );
    }
    const password = input.adminPassword ?? generatePassword();
    const id = newId();
    await db.$transaction(async (tx) => {
      await tx.appInstall.deleteMany({ where: { siteId } });
      await tx.appInstall.create({
        data: {
          id,
          siteId,
          tenantId: site.tenantId,
          app: 'wordpress',
          status: 'installing',
          message: 'Creating its database',
          adminUser: input.adminUser,
        },
      });
      await recordEvent(tx, ctx, {
        action: 'app.install',
        targetType: 'site',
        targetId: siteId,
        tenantId: site.tenantId,
        details: { app: 'wordpress', siteUrl, adminUser: input.adminUser },
      });
    });

    let databaseId: string | undefined;
    try {
      const suffix = `wp${newId().slice(-6)}`;
      const database = await this.deps.databases.create(ctx, {
        tenantId: site.tenantId,
        engine: 'mariadb',
        name: suffix,
        user: suffix,
      });
      databaseId = database.id;
      await this.step(id, 'Copying WordPress and running its installer', { databaseId });
      const result = await port.installWordPress({
        tenant: { tenantId: site.tenantId, uid: site.tenant.uid },
        siteId,
        siteUrl,
        title: input.title,
        admin: { user: input.adminUser, password, email: input.adminEmail },
        db: { name: database.name, user: database.user!.name, password: database.user!.password },
      });
      await db.$transaction(async (tx) => {
        await tx.appInstall.update({
          where: { id },
          data: { status: 'installed', message: null, version: result.version, finishedAt: new Date() },
        });
        await recordEvent(tx, ctx, {
          action: 'app.installed',
          targetType: 'site',
          targetId: siteId,
          tenantId: site.tenantId,
          details: { app: 'wordpress', version: result.version },
        });
      });
    } catch (error) {
      const reason = failureMessage(error);
      if (databaseId) await this.deps.databases.remove(ctx, databaseId).catch(() => undefined);
      await db.$transaction(async (tx) => {
        await tx.appInstall.updateMany({
          where: { id },
          data: { status: 'failed', message: reason.message, databaseId: null, finishedAt: new Date() },
        });
        await recordEvent(tx, ctx, {
          action: 'app.install',
          targetType: 'site',
          targetId: siteId,
          tenantId: site.tenantId,
          result: 'error',
          message: reason.message,
          details: { app: 'wordpress' },
        });
      });
      throw reason;
    }
    return {
      ...(await this.get(ctx, siteId)),
      ...(input.adminPassword === undefined ? { adminPassword: password } : {}),
    };
  }

  private async step(id: string, message: string, data: { databaseId?: string } = {}): Promise<void> {
    await this.deps.db.appInstall.updateMany({ where: { id }, data: { message, ...data } });
  }
}

/** failureMessage turns what stopped an installation into the API's answer (a sentence that says what to do). */
function failureMessage(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof AppsPortError) {
    if (error.reason === 'not-empty') {
      return new AppError(
        'SITE_NOT_EMPTY',
        'The site already has files; WordPress is installed only into an empty site. Delete its files first, or use another site.',
        { cause: error },
      );
    }
    return new AppError(
      'RUNTIME_UNAVAILABLE',
      error.reason === 'unavailable'
        ? 'The installer could not run right now; nothing was changed. Try again in a minute.'
        : 'WordPress could not be installed; nothing was kept. Try again, and tell the operator if it fails again.',
      { cause: error },
    );
  }
  return new AppError('INTERNAL', 'WordPress could not be installed; nothing was kept.', { cause: error });
}
