import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZEvent, ZEventListQuery, ZPage } from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';
import { listEvents } from './events.service.js';

export const eventRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'The audit trail, newest first',
        querystring: ZEventListQuery,
        response: { 200: ZPage(ZEvent) },
      },
    },
    async (request) => listEvents(services.db, contextOf(request), request.query),
  );
};
