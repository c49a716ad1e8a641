import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZDeleteFileQuery, ZFileEntry, ZFileListing, ZFilePathParams, ZIdParams, ZOk } from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';
import type { FileRead } from './files.service.js';

const READ_DESCRIPTION =
  'A folder answers its listing as JSON; a file answers its bytes (application/octet-stream, Content-Disposition: attachment). ' +
  "Paths are relative to the site's document root (`public/`); symbolic links are followed only when they stay inside it.";

/** contentDisposition names a download safely: an ASCII fallback without quotes or controls, and the exact UTF-8 name (RFC 6266). */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function sendRead(reply: FastifyReply, read: FileRead): FastifyReply {
  void reply.header('cache-control', 'private, no-store');
  if (read.kind === 'listing') return reply.send(read.listing);
  return reply
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', contentDisposition(read.name))
    .header('content-length', String(read.size))
    .header('x-content-type-options', 'nosniff')
    .send(read.stream);
}

function declaredLength(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,16}$/.test(header)) return null;
  return Number(header);
}

/**
 * filesRoutes: a site's files under its document root. GET lists a folder or downloads a file, PUT uploads
 * a raw body, DELETE removes a file or folder, POST /directories/* makes a folder. Not cached: the files
 * change outside the database (the site itself writes there).
 */
export const filesRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { files } = services;
  const tags = ['files'];

  app.get(
    '/sites/:id/files',
    {
      schema: {
        tags,
        summary: "List the site's document root",
        description: READ_DESCRIPTION,
        params: ZIdParams,
        response: { 200: ZFileListing },
      },
    },
    async (request, reply) => sendRead(reply, await files.read(contextOf(request), request.params.id, '')),
  );

  app.get(
    '/sites/:id/files/*',
    {
      schema: {
        tags,
        summary: 'List a folder or download a file',
        description: READ_DESCRIPTION,
        params: ZFilePathParams,
        response: { 200: ZFileListing },
      },
    },
    async (request, reply) =>
      sendRead(reply, await files.read(contextOf(request), request.params.id, request.params['*'])),
  );

  app.delete(
    '/sites/:id/files/*',
    {
      schema: {
        tags,
        summary: 'Delete a file, a link or a folder (a folder with content only with recursive=true)',
        params: ZFilePathParams,
        querystring: ZDeleteFileQuery,
        response: { 200: ZOk },
      },
    },
    async (request) => {
      await files.remove(contextOf(request), request.params.id, request.params['*'], {
        recursive: request.query.recursive,
      });
      return { ok: true as const };
    },
  );

  app.post(
    '/sites/:id/directories/*',
    {
      schema: {
        tags,
        summary: 'Make a folder (and any missing parents) below the document root',
        params: ZFilePathParams,
        response: { 201: ZFileEntry },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await files.makeDirectory(contextOf(request), request.params.id, request.params['*'])),
  );

  // Uploads take the raw body of any content type as a stream; the service writes it to a temp file after
  // authorizing, so nothing is read from a caller that may not write here.
  const rawBodyRoutes: FastifyPluginAsyncZod = async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    raw.put(
      '/sites/:id/files/*',
      {
        schema: {
          tags,
          summary:
            'Upload a file: the raw request body becomes the file (missing folders are created; an existing file is replaced)',
          description: `At most 512 MiB per upload, and within the plan's disk. ${READ_DESCRIPTION}`,
          params: ZFilePathParams,
          response: { 201: ZFileEntry },
        },
      },
      async (request, reply) => {
        try {
          const entry = await files.upload(contextOf(request), {
            siteId: request.params.id,
            path: request.params['*'],
            body: request.body as Readable | undefined,
            declaredBytes: declaredLength(request.headers['content-length']),
          });
          return await reply.status(201).send(entry);
        } catch (error) {
          // A refused upload is not read to its end: close the connection instead of draining it.
          if (!request.raw.complete) void reply.header('connection', 'close');
          throw error;
        }
      },
    );
  };
  await app.register(rawBodyRoutes);
};
