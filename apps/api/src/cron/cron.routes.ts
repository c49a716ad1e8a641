import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCreateCronJobRequest,
  ZCronJob,
  ZCronJobList,
  ZCronJobListQuery,
  ZCronRun,
  ZCronRunList,
  ZIdParams,
  ZOk,
  ZUpdateCronJobRequest,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

/** cronRoutes: cron jobs of sites (schedules in UTC), run now, and their last runs with output. */
export const cronRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['cron'];
  app.get(
    '/cron-jobs',
    {
      schema: {
        tags,
        summary: 'List cron jobs (of one site with siteId) with their last run',
        querystring: ZCronJobListQuery,
        response: { 200: ZCronJobList },
      },
    },
    async (request) => services.cron.list(contextOf(request), request.query),
  );
  app.post(
    '/cron-jobs',
    {
      schema: {
        tags,
        summary: "Create a cron job: a command run on a schedule (UTC) in the site's runtime, as the account's user",
        body: ZCreateCronJobRequest,
        response: { 201: ZCronJob },
      },
    },
    async (request, reply) => reply.status(201).send(await services.cron.create(contextOf(request), request.body)),
  );
  app.get(
    '/cron-jobs/:id',
    { schema: { tags, summary: 'Read a cron job', params: ZIdParams, response: { 200: ZCronJob } } },
    async (request) => services.cron.get(contextOf(request), request.params.id),
  );
  app.patch(
    '/cron-jobs/:id',
    {
      schema: {
        tags,
        summary: 'Change a cron job (name, schedule, command, timeout, enabled)',
        params: ZIdParams,
        body: ZUpdateCronJobRequest,
        response: { 200: ZCronJob },
      },
    },
    async (request) => services.cron.update(contextOf(request), request.params.id, request.body),
  );
  app.delete(
    '/cron-jobs/:id',
    { schema: { tags, summary: 'Delete a cron job and its runs', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.cron.remove(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  app.post(
    '/cron-jobs/:id/run',
    {
      schema: {
        tags,
        summary: 'Run a cron job now (refused while a run of it is going)',
        params: ZIdParams,
        response: { 202: ZCronRun },
      },
    },
    async (request, reply) => reply.status(202).send(await services.cron.runNow(contextOf(request), request.params.id)),
  );
  app.get(
    '/cron-jobs/:id/runs',
    {
      schema: {
        tags,
        summary: "A cron job's last runs, newest first",
        params: ZIdParams,
        response: { 200: ZCronRunList },
      },
    },
    async (request) => services.cron.runs(contextOf(request), request.params.id),
  );
};
