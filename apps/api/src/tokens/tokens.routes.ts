import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZApiToken, ZCreatedToken, ZCreateTokenRequest, ZIdParams, ZOk, ZPage } from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

export const tokenRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['tokens'];
  app.get(
    '/tokens',
    {
      schema: {
        tags,
        summary: "List the caller's API tokens (never their secrets)",
        response: { 200: ZPage(ZApiToken) },
      },
    },
    async (request) => services.tokens.list(contextOf(request)),
  );
  app.post(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; the secret is in this response only',
        body: ZCreateTokenRequest,
        response: { 201: ZCreatedToken },
      },
    },
    async (request, reply) => reply.status(201).send(await services.tokens.create(contextOf(request), request.body)),
  );
  app.delete(
    '/tokens/:id',
    { schema: { tags, summary: 'Revoke an API token', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.tokens.revoke(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
};
