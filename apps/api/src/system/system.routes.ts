import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZSystemHealth } from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

/** systemRoutes: what administrators need to see about the machine itself. */
export const systemRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/system/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Health of the database, the Docker engine, the edge and the reconciler (administrators)',
        response: { 200: ZSystemHealth },
      },
    },
    async (request) => services.system.health(contextOf(request)),
  );
};
