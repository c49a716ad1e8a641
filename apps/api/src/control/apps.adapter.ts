import type { FastifyBaseLogger } from 'fastify';
import { installWordPress, isRuntimeError, type DockerDriver } from '@berth/runtime';
import { AppsPortError, type AppsPort, type WordPressInstall } from '../ports.js';

/**
 * createAppsAdapter is the API's AppsPort over @berth/runtime: WordPress is installed by the runtime's one-shot
 * installer container as the tenant. The runtime's words go to the operator's log; the port says only why.
 */
export function createAppsAdapter(driver: DockerDriver, logger: FastifyBaseLogger): AppsPort {
  return {
    async installWordPress(params: WordPressInstall): Promise<{ version: string }> {
      try {
        return await installWordPress(driver, {
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
          {
            cause: err,
          },
        );
      }
    },
  };
}
