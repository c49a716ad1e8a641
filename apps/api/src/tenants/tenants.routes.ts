import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCreateTenantRequest,
  ZIdParams,
  ZOk,
  ZPage,
  ZTenant,
  ZTenantListQuery,
  ZUpdateTenantRequest,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

export const tenantRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['tenants'];
  app.get(
    '/tenants',
    {
      schema: {
        tags,
        summary: 'List tenants (tenant users see their own)',
        querystring: ZTenantListQuery,
        response: { 200: ZPage(ZTenant) },
      },
    },
    async (request) => services.tenants.list(contextOf(request), request.query),
  );
  app.post(
    '/tenants',
    {
      schema: {
        tags,
        summary: 'Create a tenant with its owner user (admin, billing)',
        body: ZCreateTenantRequest,
        response: { 201: ZTenant },
      },
    },
    async (request, reply) => reply.status(201).send(await services.tenants.create(contextOf(request), request.body)),
  );
  app.get(
    '/tenants/:id',
    { schema: { tags, summary: 'Read a tenant', params: ZIdParams, response: { 200: ZTenant } } },
    async (request) => services.tenants.get(contextOf(request), request.params.id),
  );
  app.patch(
    '/tenants/:id',
    {
      schema: {
        tags,
        summary: 'Change a tenant (name and plan: admin; webserver and Varnish: owner too)',
        params: ZIdParams,
        body: ZUpdateTenantRequest,
        response: { 200: ZTenant },
      },
    },
    async (request) => services.tenants.update(contextOf(request), request.params.id, request.body),
  );
  app.post(
    '/tenants/:id/suspend',
    {
      schema: {
        tags,
        summary: 'Suspend a tenant: sites answer the suspended page (admin, billing)',
        params: ZIdParams,
        response: { 200: ZTenant },
      },
    },
    async (request) => services.tenants.setSuspended(contextOf(request), request.params.id, true),
  );
  app.post(
    '/tenants/:id/unsuspend',
    { schema: { tags, summary: 'Unsuspend a tenant (admin, billing)', params: ZIdParams, response: { 200: ZTenant } } },
    async (request) => services.tenants.setSuspended(contextOf(request), request.params.id, false),
  );
  app.delete(
    '/tenants/:id',
    {
      schema: {
        tags,
        summary: 'Terminate a tenant and everything it owns (admin, billing)',
        params: ZIdParams,
        response: { 200: ZOk },
      },
    },
    async (request) => {
      await services.tenants.terminate(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
};
