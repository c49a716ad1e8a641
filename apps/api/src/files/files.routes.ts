import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../services.js';

/** filesRoutes: a site's files under its document root (list, download, upload, delete, mkdir). */
export const filesRoutes: FastifyPluginAsyncZod<{ services: Services; dataDir: string }> = async () => {};
