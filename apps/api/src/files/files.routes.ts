import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZDeleteFileQuery,
  ZErrorBody,
  ZExtractArchiveRequest,
  ZExtractArchiveResult,
  ZFileEntry,
  ZFileListing,
  ZFilePathParams,
  ZFileReadQuery,
  ZIdParams,
  ZOk,
  ZUpdateFileRequest,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';
import type { FileRead } from './files.service.js';

const READ_DESCRIPTION =
  'A folder answers its listing as JSON; a file answers its bytes (application/octet-stream, Content-Disposition: attachment) ' +
  'with a strong ETag (files up to 2 MiB: a SHA-256 of the bytes sent; larger: inode, size and change times) to send back as If-Match when saving. ' +
  'A folder with `format=zip` answers a zip of everything in it (streamed; symbolic links and special files are left out). ' +
  "Paths are relative to the site's document root (`public/`); symbolic links are followed only when they stay inside it.";

/** PRECONDITION_FAILED documents the one answer the error transform does not add by itself (412). */
const PRECONDITION_FAILED = {
  description:
    'FILE_CHANGED: If-Match did not match the current ETag (the file changed, or is gone); reload or overwrite on purpose.',
  content: { 'application/json': { schema: ZErrorBody } },
};

/** contentDisposition names a download safely: an ASCII fallback without quotes or controls, and the exact UTF-8 name (RFC 6266). */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function sendRead(reply: FastifyReply, read: FileRead): FastifyReply {
  void reply.header('cache-control', 'private, no-store');
  if (read.kind === 'listing') return reply.send(read.listing);
  return reply
    .header('etag', read.etag)
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', contentDisposition(read.name))
    .header('content-length', String(read.size))
    .header('x-content-type-options', 'nosniff')
    .send(read.stream);
}

function sendZip(reply: FastifyReply, zip: { name: string; stream: Readable }): FastifyReply {
  return reply
    .header('cache-control', 'private, no-store')
    .header('content-type', 'application/zip')
    .header('content-disposition', contentDisposition(zip.name))
    .header('x-content-type-options', 'nosniff')
    .send(zip.stream);
}

/** oneHeader is a request header's value, or undefined (a repeated header is refused by taking none of it). */
function oneHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function declaredLength(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,16}$/.test(header)) return null;
  return Number(header);
}

/**
 * filesRoutes: a site's files under its document root. GET lists a folder or downloads a file (or a folder
 * as a zip), PUT uploads a raw body (conditional with If-Match / If-None-Match), PATCH renames, moves or
 * changes permissions, DELETE removes a file or folder, POST /directories/* makes a folder and
 * POST /extractions/* extracts a zip. Not cached: the files change outside the database (the site itself
 * writes there).
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
        querystring: ZFileReadQuery,
        response: { 200: ZFileListing },
      },
    },
    async (request, reply) =>
      request.query.format === 'zip'
        ? sendZip(reply, await files.downloadZip(contextOf(request), request.params.id, ''))
        : sendRead(reply, await files.read(contextOf(request), request.params.id, '')),
  );

  app.get(
    '/sites/:id/files/*',
    {
      schema: {
        tags,
        summary: 'List a folder, download a file, or download a folder as a zip (format=zip)',
        description: READ_DESCRIPTION,
        params: ZFilePathParams,
        querystring: ZFileReadQuery,
        response: { 200: ZFileListing },
      },
    },
    async (request, reply) =>
      request.query.format === 'zip'
        ? sendZip(reply, await files.downloadZip(contextOf(request), request.params.id, request.params['*']))
        : sendRead(reply, await files.read(contextOf(request), request.params.id, request.params['*'])),
  );

  app.patch(
    '/sites/:id/files/*',
    {
      schema: {
        tags,
        summary: 'Rename or move a file, link or folder (`to`), or change its permissions (`mode`)',
        description:
          '`to` is the new path below the document root (missing folders are made). A folder cannot move into itself; ' +
          'an existing target answers 409 FILE_EXISTS unless `overwrite: true` and both are files. A link is moved as itself. ' +
          '`mode` is one of the allowed permission sets (never setuid, setgid, sticky or world-writable); a link is refused.',
        params: ZFilePathParams,
        body: ZUpdateFileRequest,
        response: { 200: ZFileEntry },
      },
    },
    async (request) => files.update(contextOf(request), request.params.id, request.params['*'], request.body),
  );

  app.post(
    '/sites/:id/extractions/*',
    {
      schema: {
        tags,
        summary: 'Extract a zip that is already uploaded (all or nothing)',
        description:
          "Extracts into the zip's folder, or `into`. Refused before anything is written: names that are absolute or contain `..`, " +
          "more than 20,000 entries or 2 GiB unpacked, more than the plan's free disk, encrypted entries, and (409 FILE_EXISTS, " +
          'first paths in `details.paths`) files that exist unless `overwrite: true`. Links and special files in the zip are skipped ' +
          "and listed in `skipped`. Files are 0644 and folders 0755, owned by the site's account.",
        params: ZFilePathParams,
        body: ZExtractArchiveRequest,
        response: { 201: ZExtractArchiveResult },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await files.extract(contextOf(request), request.params.id, request.params['*'], request.body)),
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
          description:
            "At most 512 MiB per upload, and within the plan's disk. `If-Match: <etag>` replaces the file only while it is " +
            'still that version (else 412 FILE_CHANGED); `If-None-Match: *` creates it only if nothing is at the path (else ' +
            `409 FILE_EXISTS). The answer carries the new file's ETag. ${READ_DESCRIPTION}`,
          params: ZFilePathParams,
          response: { 201: ZFileEntry, 412: PRECONDITION_FAILED },
        },
      },
      async (request, reply) => {
        try {
          const written = await files.upload(contextOf(request), {
            siteId: request.params.id,
            path: request.params['*'],
            body: request.body as Readable | undefined,
            declaredBytes: declaredLength(request.headers['content-length']),
            ifMatch: oneHeader(request.headers['if-match']),
            ifNoneMatch: oneHeader(request.headers['if-none-match']),
          });
          return await reply.status(201).header('etag', written.etag).send(written.entry);
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
