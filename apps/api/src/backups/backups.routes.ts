import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZBackup,
  ZBackupAllResult,
  ZBackupList,
  ZIdParams,
  ZRestore,
  ZRestoreList,
  ZRestoreRequest,
  ZSnapshotBrowseQuery,
  ZSnapshotListing,
  ZTenantBackupParams,
  ZTerminatedTenants,
} from '@berth/contracts';
import { contentDisposition } from '../files/files.routes.js';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

/**
 * backupRoutes: a tenant's backups (restic snapshots of its files, database dumps and panel records), browsing
 * and downloading from them, and restores. Backups and restores are queued (202) and carried out by the control
 * plane; their progress is their status and events.
 */
export const backupRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['backups'];
  app.get(
    '/tenants/:id/backups',
    {
      schema: {
        tags,
        summary: "List a tenant's backups, newest first (a terminated tenant's too, for administrators)",
        params: ZIdParams,
        response: { 200: ZBackupList },
      },
    },
    async (request) => services.backups.list(contextOf(request), request.params.id),
  );
  app.post(
    '/tenants/:id/backups',
    {
      schema: {
        tags,
        summary: 'Back up a tenant now: its site files, a dump of each database, and its panel records',
        params: ZIdParams,
        response: { 202: ZBackup },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await services.backups.create(contextOf(request), request.params.id)),
  );
  app.post(
    '/backups',
    {
      schema: {
        tags,
        summary: 'Back up every tenant now (administrators)',
        response: { 202: ZBackupAllResult },
      },
    },
    async (request, reply) => reply.status(202).send(await services.backups.backupAll(contextOf(request))),
  );
  app.get(
    '/backups/terminated',
    {
      schema: {
        tags,
        summary: 'Terminated tenants whose backups are still kept, to restore them (administrators)',
        response: { 200: ZTerminatedTenants },
      },
    },
    async (request) => services.backups.listTerminated(contextOf(request)),
  );
  app.get(
    '/tenants/:id/backups/:backupId/files',
    {
      schema: {
        tags,
        summary: 'List a folder of a backup (`sites/<site id>/…`, `databases`, `panel`)',
        params: ZTenantBackupParams,
        querystring: ZSnapshotBrowseQuery,
        response: { 200: ZSnapshotListing },
      },
    },
    async (request) =>
      services.backups.browse(contextOf(request), request.params.id, request.params.backupId, request.query.path),
  );
  app.get(
    '/tenants/:id/backups/:backupId/download',
    {
      schema: {
        tags,
        summary: 'Download a file of a backup, or a folder as a tar archive',
        params: ZTenantBackupParams,
        querystring: ZSnapshotBrowseQuery,
      },
    },
    async (request, reply) => {
      const file = await services.backups.download(
        contextOf(request),
        request.params.id,
        request.params.backupId,
        request.query.path,
      );
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', contentDisposition(file.name))
        .header('x-content-type-options', 'nosniff')
        .send(file.stream);
    },
  );
  app.post(
    '/tenants/:id/backups/:backupId/restore',
    {
      schema: {
        tags,
        summary: 'Restore the whole tenant, one site, one database, or one file or folder from a backup',
        params: ZTenantBackupParams,
        body: ZRestoreRequest,
        response: { 202: ZRestore },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          await services.backups.restore(contextOf(request), request.params.id, request.params.backupId, request.body),
        ),
  );
  app.get(
    '/tenants/:id/restores',
    {
      schema: {
        tags,
        summary: "List a tenant's restores, newest first",
        params: ZIdParams,
        response: { 200: ZRestoreList },
      },
    },
    async (request) => services.backups.listRestores(contextOf(request), request.params.id),
  );
};
