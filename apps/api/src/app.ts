import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Db } from '@berth/db';
import { authRoutes } from './auth/auth.routes.js';
import type { Config } from './config.js';
import { domainRoutes } from './domains/domains.routes.js';
import { databaseRoutes } from './databases/databases.routes.js';
import { appRoutes } from './apps/apps.routes.js';
import { recordEvent } from './events/events.service.js';
import { eventRoutes } from './events/events.routes.js';
import { filesRoutes } from './files/files.routes.js';
import { backupRoutes } from './backups/backups.routes.js';
import { cronRoutes } from './cron/cron.routes.js';
import { sftpRoutes } from './sftp/sftp.routes.js';
import { systemRoutes } from './system/system.routes.js';
import { isApiRoute, requestPath } from './http/api-route.js';
import { registerAuthHook, registerSuspensionHook } from './http/auth.hook.js';
import { registerErrorHandler } from './http/error-handler.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerTwoFactorGate } from './http/two-factor.hook.js';
import { jsonSchemaTransformWithErrors } from './http/openapi-errors.js';
import { accountRoutes } from './billing/accounts.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';
import type { WebhookConfig } from './webhooks/webhooks.config.js';
import { planRoutes } from './plans/plans.routes.js';
import { runtimeRoutes } from './runtimes/runtimes.routes.js';
import { createControlPorts, type ControlPorts } from './ports.js';
import { createServices, type Services } from './services.js';
import type { DomainVerificationConfig } from './domains/domain-verification.js';
import { siteRoutes } from './sites/sites.routes.js';
import { tenantRoutes } from './tenants/tenants.routes.js';
import { tokenRoutes } from './tokens/tokens.routes.js';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface BuildAppOptions {
  config: Pick<Config, 'portRange' | 'webDir' | 'dataDir'> &
    Partial<Pick<Config, 'readCache' | 'listen' | 'requireAdminTwoFactor'>> & {
      webhooks?: WebhookConfig;
      domainVerification?: DomainVerificationConfig;
      /** The public URL of phpMyAdmin/Adminer (BERTH_DB_ADMIN_HOST), or null. */
      dbAdminUrl?: string | null;
      /** The panel's public URL (BERTH_PANEL_HOST): its session cookie is Secure then. */
      panelUrl?: string | null;
      /** Tenants' sites/ are disks of their own, mounted by the control plane (main.ts); files wait for them. */
      tenantDisks?: boolean;
      filesDiskWaitMs?: number;
      sftp?: { host: string; port: number };
    };
  db: Db;
  /** A pino logger; without one the server logs nothing (tests). */
  logger?: FastifyBaseLogger;
  /** The slots the control plane binds once it runs (main.ts); fresh, unbound ones when absent (tests, the CLI). */
  ports?: ControlPorts;
}

/** REDACT lists request/response paths that may carry secrets; pino writes [Redacted] instead. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/**
 * buildApp assembles the panel's HTTP server: the /api/v1 REST API (authenticated unless a route says
 * otherwise), its OpenAPI document and docs, and the built console. It does not listen; main.ts and the
 * tests decide that.
 */
export async function buildApp(
  opts: BuildAppOptions,
): Promise<{ app: FastifyInstance; services: Services; ports: ControlPorts }> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    // With a panel host the edge (on this machine) proxies the console: its X-Forwarded-For/-Proto are believed
    // from loopback only, so sign-in limits see the visitor's address and the session cookie is Secure.
    trustProxy: opts.config.panelUrl ? ['127.0.0.1', '::1'] : false,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const ports = opts.ports ?? createControlPorts();
  const services = createServices({ db: opts.db, config: opts.config, ports, log: app.log });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Berth API',
        version: '1',
        description:
          'Multi-tenant hosting control panel. Authenticate with the session cookie from POST /api/v1/auth/login (send X-CSRF-Token on mutations) or with `Authorization: Bearer <token>`. Errors are always `{"error":{"code","message","details"?}}`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token: berth_<id>_<secret>' },
          session: { type: 'apiKey', in: 'cookie', name: 'berth_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // Every operation documents its error answers; their one body is the ErrorBody component.
    transform: jsonSchemaTransformWithErrors,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  registerErrorHandler(app);
  // Billing modules and curl scripts send `Content-Type: application/json` on every request, also on a POST
  // that takes no body (suspend, unsuspend, purge, SSO). An empty body is no body: no parser runs, and a
  // route that does need a body still answers VALIDATION_FAILED for the missing body.
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-length'] === '0' && request.headers['transfer-encoding'] === undefined)
      delete request.headers['content-type'];
  });
  registerAuthHook(app, services.auth);
  registerTwoFactorGate(app, services.twoFactor);
  registerSuspensionHook(app, services.db);
  registerIdempotency(app, { db: services.db, dataKey: services.dataKey });

  // Refused mutations by a known caller are part of the audit trail too (schema failures are not: nothing happened).
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATIONS.has(request.method) || !request.principal || reply.statusCode < 401 || !isApiRoute(request)) return;
    try {
      await recordEvent(
        services.db,
        { principal: request.principal, ip: request.ip },
        {
          action: `${request.method.toLowerCase()} ${request.routeOptions.url ?? request.url}`,
          targetType: 'request',
          targetId: null,
          tenantId: request.principal.tenantId,
          result: 'error',
          message: `HTTP ${reply.statusCode}`,
        },
      );
    } catch (error) {
      request.log.warn({ err: error }, 'could not record refused mutation');
    }
  });

  await app.register(
    async (api) => {
      api.get('/health', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));
      api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
      await api.register(authRoutes, { services });
      await api.register(planRoutes, { services });
      await api.register(tenantRoutes, { services });
      await api.register(siteRoutes, { services });
      await api.register(domainRoutes, { services });
      await api.register(databaseRoutes, { services });
      await api.register(appRoutes, { services });
      await api.register(tokenRoutes, { services });
      await api.register(eventRoutes, { services });
      await api.register(runtimeRoutes);
      await api.register(systemRoutes, { services });
      await api.register(filesRoutes, { services });
      await api.register(backupRoutes, { services });
      await api.register(cronRoutes, { services });
      await api.register(sftpRoutes, { services });
      await api.register(accountRoutes, { services, publicUrl: opts.config.panelUrl ?? null });
      await api.register(webhookRoutes, { services });
    },
    { prefix: '/api/v1' },
  );

  registerConsole(app, opts.config.webDir);
  return { app, services, ports };
}

/** registerConsole serves the built SPA and answers unknown non-API paths with its index.html. */
function registerConsole(app: FastifyInstance, webDir: string): void {
  const hasConsole = fs.existsSync(path.join(webDir, 'index.html'));
  if (hasConsole) {
    // The build writes .br and .gz next to each asset; serve those to clients that accept them.
    void app.register(fastifyStatic, {
      root: webDir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      preCompressed: true,
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const target = requestPath(request);
    if (target.startsWith('/api/') || !hasConsole || request.method !== 'GET') {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${target}.` } });
    }
    return reply.type('text/html').sendFile('index.html');
  });
}
