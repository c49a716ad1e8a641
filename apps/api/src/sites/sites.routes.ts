import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCreateSiteRequest,
  ZIdParams,
  ZOk,
  ZPage,
  ZPurgeCacheRequest,
  ZPurgeCacheResponse,
  ZSite,
  ZSiteListQuery,
  ZUpdateSiteRequest,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

export const siteRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['sites'];
  app.get(
    '/sites',
    { schema: { tags, summary: 'List sites', querystring: ZSiteListQuery, response: { 200: ZPage(ZSite) } } },
    async (request, reply) => {
      const ctx = contextOf(request);
      return services.readCache.sendJson(request, reply, ctx.principal, () => services.sites.list(ctx, request.query));
    },
  );
  app.post(
    '/sites',
    {
      schema: {
        tags,
        summary: 'Create a site (status starts as pending)',
        body: ZCreateSiteRequest,
        response: { 201: ZSite },
      },
    },
    async (request, reply) => reply.status(201).send(await services.sites.create(contextOf(request), request.body)),
  );
  app.get(
    '/sites/:id',
    {
      schema: {
        tags,
        summary: 'Read a site with its status and last error',
        params: ZIdParams,
        response: { 200: ZSite },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      return services.readCache.sendJson(request, reply, ctx.principal, () =>
        services.sites.get(ctx, request.params.id),
      );
    },
  );
  app.patch(
    '/sites/:id',
    {
      schema: {
        tags,
        summary: 'Change runtime, version or settings',
        params: ZIdParams,
        body: ZUpdateSiteRequest,
        response: { 200: ZSite },
      },
    },
    async (request) => services.sites.update(contextOf(request), request.params.id, request.body),
  );
  app.delete(
    '/sites/:id',
    { schema: { tags, summary: 'Delete a site and its domains', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.sites.remove(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  app.post(
    '/sites/:id/retry',
    {
      schema: {
        tags,
        summary: 'Retry a failed or degraded site: back to pending, converged now',
        params: ZIdParams,
        response: { 200: ZSite },
      },
    },
    async (request) => services.sites.retry(contextOf(request), request.params.id),
  );
  app.post(
    '/sites/:id/cache/purge',
    {
      schema: {
        tags,
        summary: "Purge the tenant's Varnish for this site: one URL, or every URL of its hostnames",
        params: ZIdParams,
        body: ZPurgeCacheRequest.optional(),
        response: { 200: ZPurgeCacheResponse },
      },
    },
    async (request) => services.sites.purgeCache(contextOf(request), request.params.id, request.body ?? {}),
  );
};
