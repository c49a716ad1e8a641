import type { FastifyBaseLogger } from 'fastify';
import { banCache, installWordPress, isRuntimeError, reloadTenantPhp, type DockerDriver } from '@berth/runtime';
import { AppsPortError, type AppsPort, type WordPressInstall } from '../ports.js';

/**
 * createAppsAdapter is the API's AppsPort over @berth/runtime: WordPress is installed by the runtime's one-shot
 * installer container as the tenant. The runtime's words go to the operator's log; the port says only why.
 */
export function createAppsAdapter(driver: DockerDriver, logger: FastifyBaseLogger): AppsPort {
  return {
    async installWordPress(params: WordPressInstall): Promise<{ version: string }> {
      let result: { version: string };
      try {
        result = await installWordPress(driver, {
          tenant: { tenantId: params.tenant.tenantId, uid: params.tenant.uid, gid: params.tenant.uid },
          siteId: params.siteId,
          siteUrl: params.siteUrl,
          title: params.title,
          admin: params.admin,
          db: params.db,
        });
      } catch (err) {
        logger.error({ err, siteId: params.siteId }, 'apps: WordPress installation failed');
        const reason = isRuntimeError(err) ? (err.details as { reason?: string } | undefined)?.reason : undefined;
        if (reason === 'site-not-empty') throw new AppsPortError('not-empty', 'the site has files', { cause: err });
        const unavailable = isRuntimeError(err) && (err.code === 'DOCKER_UNAVAILABLE' || err.code === 'IMAGE_MISSING');
        throw new AppsPortError(
          unavailable ? 'unavailable' : 'failed',
          err instanceof Error ? err.message : String(err),
          { cause: err },
        );
      }
      // The default page was replaced: PHP's opcache and the tenant's Varnish must not serve it a moment longer.
      // Both are best effort (opcache's revalidation and the cache's TTL end it anyway).
      await reloadTenantPhp(driver, params.tenant.tenantId).catch((err: unknown) =>
        logger.warn({ err, siteId: params.siteId }, 'apps: could not reload PHP after the installation'),
      );
      await banCache(driver, { tenantId: params.tenant.tenantId, host: new URL(params.siteUrl).hostname }).catch(
        () => undefined, // no Varnish for this tenant: nothing was cached
      );
      return result;
    },
  };
}
