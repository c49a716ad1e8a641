import { banCache, isRuntimeError, purgeCache, type DockerDriver } from '@berth/runtime';
import { CachePortError, type CachePort } from '../services.js';

/**
 * createCacheAdapter is the API's CachePort over @berth/runtime: it purges through the tenant's published
 * cache port and turns the runtime's failures into the port's own (CachePortError), so the service can
 * answer them without knowing the runtime. A Varnish that is not running or does not answer is
 * `not-running`; an engine that does not answer or answers with an error, or a Varnish that refuses, is
 * `unavailable`.
 */
export function createCacheAdapter(driver: DockerDriver): CachePort {
  const translate = async (op: () => Promise<void>): Promise<void> => {
    try {
      await op();
    } catch (err) {
      if (isRuntimeError(err, 'CACHE_UNAVAILABLE')) {
        throw new CachePortError(err.details?.running === false ? 'not-running' : 'unavailable', err.message, {
          cause: err,
        });
      }
      if (isRuntimeError(err, 'DOCKER_UNAVAILABLE') || isRuntimeError(err, 'DOCKER_ERROR'))
        throw new CachePortError('unavailable', err.message, { cause: err });
      throw err;
    }
  };
  return {
    purgeUrl: (tenantId, url) => translate(() => purgeCache(driver, { tenantId, url })),
    banHost: (tenantId, host) => translate(() => banCache(driver, { tenantId, host })),
  };
}
