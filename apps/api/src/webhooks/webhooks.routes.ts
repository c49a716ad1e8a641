import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCreatedWebhook,
  ZCreateWebhookRequest,
  ZIdParams,
  ZOk,
  ZPage,
  ZUpdateWebhookRequest,
  ZWebhook,
  ZWebhookDelivery,
  ZWebhookDeliveryQuery,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

const SIGNING =
  'Each delivery is a POST of JSON with `Berth-Event`, `Berth-Delivery` and `Berth-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; a non-2xx answer or no answer within 5 s is retried with backoff (10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h: 8 attempts).';

export const webhookRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['billing'];
  const { webhooks } = services;
  app.get(
    '/webhooks',
    { schema: { tags, summary: 'List webhook endpoints (admin)', response: { 200: ZPage(ZWebhook) } } },
    async (request) => webhooks.list(contextOf(request)),
  );
  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        summary: 'Register a webhook endpoint; the signing secret is answered once (admin)',
        description: SIGNING,
        body: ZCreateWebhookRequest,
        response: { 201: ZCreatedWebhook },
      },
    },
    async (request, reply) => reply.status(201).send(await webhooks.create(contextOf(request), request.body)),
  );
  app.get(
    '/webhooks/:id',
    { schema: { tags, summary: 'Read a webhook endpoint (admin)', params: ZIdParams, response: { 200: ZWebhook } } },
    async (request) => webhooks.get(contextOf(request), request.params.id),
  );
  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Change a webhook endpoint: URL, events, description, enabled (admin)',
        params: ZIdParams,
        body: ZUpdateWebhookRequest,
        response: { 200: ZWebhook },
      },
    },
    async (request) => webhooks.update(contextOf(request), request.params.id, request.body),
  );
  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Delete a webhook endpoint and its delivery log (admin)',
        params: ZIdParams,
        response: { 200: ZOk },
      },
    },
    async (request) => {
      await webhooks.remove(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Replace the signing secret; the new one is answered once (admin)',
        params: ZIdParams,
        response: { 200: ZCreatedWebhook },
      },
    },
    async (request) => webhooks.rotateSecret(contextOf(request), request.params.id),
  );
  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary: 'Deliveries of a webhook endpoint, newest first, with every attempt (status, error, duration) (admin)',
        params: ZIdParams,
        querystring: ZWebhookDeliveryQuery,
        response: { 200: ZPage(ZWebhookDelivery) },
      },
    },
    async (request) => webhooks.deliveries(contextOf(request), request.params.id, request.query),
  );
};
