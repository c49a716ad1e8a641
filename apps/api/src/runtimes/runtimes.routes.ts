import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RUNTIME_CATALOG, RUNTIME_KINDS, WEBSERVER_KINDS, ZRuntimeCatalogResponse } from '@berth/contracts';

const CATALOG = {
  kinds: RUNTIME_KINDS.map((kind) => ({
    kind,
    label: RUNTIME_CATALOG[kind].label,
    versions: [...RUNTIME_CATALOG[kind].versions],
    defaultVersion: RUNTIME_CATALOG[kind].defaultVersion,
  })),
  webservers: [...WEBSERVER_KINDS],
};

export const runtimeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/runtimes',
    {
      schema: {
        tags: ['runtimes'],
        summary: 'The runtime catalog: kinds and versions a site can pick',
        response: { 200: ZRuntimeCatalogResponse },
      },
    },
    async () => CATALOG,
  );
};
