import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZAppInstall, ZIdParams, ZInstallWordPressRequest, ZStartedAppInstall } from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

export const appRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['apps'];
  app.post(
    '/sites/:id/apps/wordpress',
    {
      schema: {
        tags,
        summary:
          'Install WordPress into an empty PHP site (a database and user, the files, wp-config.php, the administrator); answers when done',
        description:
          'Refused (409 SITE_NOT_EMPTY) when the site has files of its own. The generated administrator password, when none is given, is in the answer once.',
        params: ZIdParams,
        body: ZInstallWordPressRequest,
        response: { 201: ZStartedAppInstall },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.apps.installWordPress(contextOf(request), request.params.id, request.body)),
  );
  app.get(
    '/sites/:id/apps/wordpress',
    {
      schema: {
        tags,
        summary: "The site's WordPress installation: its status (the step while installing), version and admin URL",
        params: ZIdParams,
        response: { 200: ZAppInstall },
      },
    },
    async (request) => services.apps.get(contextOf(request), request.params.id),
  );
};
