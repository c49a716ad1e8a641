import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCreateTenantRequest,
  ZIdParams,
  ZOk,
  ZPage,
  ZSessionResponse,
  ZSuspendTenantRequest,
  ZTenant,
  ZTenantListQuery,
  ZTenantUsage,
  ZUpdateTenantRequest,
} from '@berth/contracts';
import { contextOf, setSessionCookie } from '../http/auth.hook.js';
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
  app.get(
    '/tenants/:id/usage',
    {
      schema: {
        tags,
        summary: "The account against its plan: sites, domains, databases, disk and this month's bandwidth",
        description:
          "Disk and bandwidth are measured as `GET /accounts/{id}/usage` measures them for billing; the tenant's own users may read this one.",
        params: ZIdParams,
        response: { 200: ZTenantUsage },
      },
    },
    async (request) => services.tenants.usage(contextOf(request), request.params.id),
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
        description:
          "The body is optional: `reason` (plain text, at most 300 characters) is shown to the tenant's users and recorded in the event; unsuspending clears it.",
        params: ZIdParams,
        body: ZSuspendTenantRequest.nullish(),
        response: { 200: ZTenant },
      },
    },
    async (request) =>
      services.tenants.setSuspended(contextOf(request), request.params.id, true, { reason: request.body?.reason }),
  );
  app.post(
    '/tenants/:id/unsuspend',
    { schema: { tags, summary: 'Unsuspend a tenant (admin, billing)', params: ZIdParams, response: { 200: ZTenant } } },
    async (request) => services.tenants.setSuspended(contextOf(request), request.params.id, false),
  );
  app.post(
    '/tenants/:id/impersonate',
    {
      schema: {
        tags,
        summary:
          "Sign in as this tenant: the administrator's browser session becomes the tenant owner's for up to an hour (admin session)",
        description:
          "Sets a new session cookie and answers it like sign-in, with `impersonatedBy`. The administrator's own session is set aside: `POST /auth/impersonation/end` returns to it. API tokens cannot impersonate, nor can an impersonation session.",
        params: ZIdParams,
        response: { 200: ZSessionResponse },
      },
    },
    async (request, reply) => {
      const { session, cookie } = await services.tenants.impersonate(contextOf(request), request.params.id);
      setSessionCookie(request, reply, cookie);
      return session;
    },
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
