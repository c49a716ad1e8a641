import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZCreatePlanRequest, ZIdParams, ZOk, ZPage, ZPlan, ZUpdatePlanRequest } from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

export const planRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['plans'];
  app.get(
    '/plans',
    { schema: { tags, summary: 'List plans (tenant users see their own plan)', response: { 200: ZPage(ZPlan) } } },
    async (request) => services.plans.list(contextOf(request)),
  );
  app.post(
    '/plans',
    { schema: { tags, summary: 'Create a plan (admin)', body: ZCreatePlanRequest, response: { 201: ZPlan } } },
    async (request, reply) => reply.status(201).send(await services.plans.create(contextOf(request), request.body)),
  );
  app.get(
    '/plans/:id',
    { schema: { tags, summary: 'Read a plan', params: ZIdParams, response: { 200: ZPlan } } },
    async (request) => services.plans.get(contextOf(request), request.params.id),
  );
  app.patch(
    '/plans/:id',
    {
      schema: {
        tags,
        summary: 'Change a plan (admin)',
        params: ZIdParams,
        body: ZUpdatePlanRequest,
        response: { 200: ZPlan },
      },
    },
    async (request) => services.plans.update(contextOf(request), request.params.id, request.body),
  );
  app.delete(
    '/plans/:id',
    { schema: { tags, summary: 'Delete a plan without tenants (admin)', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.plans.remove(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
};
