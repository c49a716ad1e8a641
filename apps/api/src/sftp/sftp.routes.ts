import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZAddSftpKeyRequest,
  ZIdParams,
  ZOk,
  ZSftpAccess,
  ZSftpKey,
  ZSftpPasswordRequest,
  ZSftpPasswordResult,
  ZSftpTenantQuery,
  ZUpdateSftpRequest,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

/** sftpRoutes: the tenant's SFTP login (chrooted to its own files), its password and SSH keys. */
export const sftpRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['sftp'];
  app.get(
    '/sftp',
    {
      schema: {
        tags,
        summary: 'How to connect over SFTP: login, host, port, and the keys that may sign in',
        querystring: ZSftpTenantQuery,
        response: { 200: ZSftpAccess },
      },
    },
    async (request) => services.sftp.get(contextOf(request), request.query.tenantId),
  );
  app.put(
    '/sftp',
    {
      schema: { tags, summary: 'Turn SFTP access on or off', body: ZUpdateSftpRequest, response: { 200: ZSftpAccess } },
    },
    async (request) => services.sftp.update(contextOf(request), request.body),
  );
  app.post(
    '/sftp/password',
    {
      schema: {
        tags,
        summary: 'Set the SFTP password, or generate one (shown once)',
        body: ZSftpPasswordRequest,
        response: { 200: ZSftpPasswordResult },
      },
    },
    async (request) => services.sftp.setPassword(contextOf(request), request.body),
  );
  app.post(
    '/sftp/keys',
    {
      schema: { tags, summary: 'Add an SSH public key', body: ZAddSftpKeyRequest, response: { 201: ZSftpKey } },
    },
    async (request, reply) => reply.status(201).send(await services.sftp.addKey(contextOf(request), request.body)),
  );
  app.delete(
    '/sftp/keys/:id',
    { schema: { tags, summary: 'Remove an SSH public key', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.sftp.removeKey(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
};
