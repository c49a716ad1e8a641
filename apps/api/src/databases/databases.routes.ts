import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZCreateDatabaseRequest,
  ZCreateDatabaseUserRequest,
  ZCreatedDatabase,
  ZDatabase,
  ZDatabaseAdminLink,
  ZDatabaseListQuery,
  ZDatabaseUser,
  ZDatabaseUserWithPassword,
  ZId,
  ZIdParams,
  ZOk,
  ZPage,
  ZSetDatabaseUserGrantsRequest,
  ZSetDatabaseUserPasswordRequest,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

export const databaseRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['databases'];
  app.get(
    '/databases',
    {
      schema: {
        tags,
        summary: 'List databases (MariaDB and PostgreSQL) with their sizes and users',
        querystring: ZDatabaseListQuery,
        response: { 200: ZPage(ZDatabase) },
      },
    },
    async (request) => services.databases.list(contextOf(request), request.query),
  );
  app.post(
    '/databases',
    {
      schema: {
        tags,
        summary: 'Create a database named <tenant prefix>_<name>, optionally with a user (its password is shown once)',
        body: ZCreateDatabaseRequest,
        response: { 201: ZCreatedDatabase },
      },
    },
    async (request, reply) => reply.status(201).send(await services.databases.create(contextOf(request), request.body)),
  );
  app.get(
    '/databases/:id',
    { schema: { tags, summary: 'Read a database', params: ZIdParams, response: { 200: ZDatabase } } },
    async (request) => services.databases.get(contextOf(request), request.params.id),
  );
  app.delete(
    '/databases/:id',
    { schema: { tags, summary: 'Delete a database and everything in it', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.databases.remove(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  app.get(
    '/database-users',
    {
      schema: {
        tags,
        summary: 'List database users and the databases each may use',
        querystring: ZDatabaseListQuery,
        response: { 200: ZPage(ZDatabaseUser) },
      },
    },
    async (request) => services.databases.listUsers(contextOf(request), request.query),
  );
  app.post(
    '/database-users',
    {
      schema: {
        tags,
        summary: 'Create a database user (its password is shown once)',
        body: ZCreateDatabaseUserRequest,
        response: { 201: ZDatabaseUserWithPassword },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.databases.createUser(contextOf(request), request.body)),
  );
  app.get(
    '/database-users/:id',
    { schema: { tags, summary: 'Read a database user', params: ZIdParams, response: { 200: ZDatabaseUser } } },
    async (request) => services.databases.getUser(contextOf(request), request.params.id),
  );
  app.delete(
    '/database-users/:id',
    { schema: { tags, summary: 'Delete a database user', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.databases.removeUser(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  app.post(
    '/database-users/:id/password',
    {
      schema: {
        tags,
        summary: "Set or rotate a database user's password (generated when none is given; shown once)",
        params: ZIdParams,
        body: ZSetDatabaseUserPasswordRequest,
        response: { 200: ZDatabaseUserWithPassword },
      },
    },
    async (request) => services.databases.setPassword(contextOf(request), request.params.id, request.body),
  );
  app.put(
    '/database-users/:id/databases',
    {
      schema: {
        tags,
        summary: 'Set which of the account’s databases (same engine) the user may use',
        params: ZIdParams,
        body: ZSetDatabaseUserGrantsRequest,
        response: { 200: ZDatabaseUser },
      },
    },
    async (request) => services.databases.setGrants(contextOf(request), request.params.id, request.body),
  );
  app.post(
    '/database-users/:id/admin-login',
    {
      schema: {
        tags,
        summary:
          'A one-time link (valid 2 minutes) that opens phpMyAdmin (MariaDB) or Adminer (PostgreSQL) signed in as this user',
        params: ZIdParams,
        body: z.strictObject({ databaseId: ZId.optional() }),
        response: { 200: ZDatabaseAdminLink },
      },
    },
    async (request) => services.databases.adminLink(contextOf(request), request.params.id, request.body),
  );
};
