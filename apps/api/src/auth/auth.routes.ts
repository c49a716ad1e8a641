import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZChangePasswordRequest, ZLoginRequest, ZLoginResponse, ZOk, ZSessionResponse } from '@berth/contracts';
import { AppError } from '../errors.js';
import { contextOf, SESSION_COOKIE, setSessionCookie } from '../http/auth.hook.js';
import type { Services } from '../services.js';
import { twoFactorRoutes } from './two-factor.routes.js';

export const authRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in with email and password: sets an HttpOnly session cookie and returns the CSRF token, or (two-factor users) returns a challenge for /auth/login/totp',
        body: ZLoginRequest,
        response: { 200: ZLoginResponse },
      },
    },
    async (request, reply) => {
      const result = await services.auth.login({ ...request.body, ip: request.ip });
      if (result.kind === 'challenge') return result.challenge;
      setSessionCookie(request, reply, result.cookie);
      return result.session;
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'Sign out: ends the browser session', response: { 200: ZOk } },
    },
    async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) await services.auth.logout(contextOf(request), cookie);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/impersonation/end',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Return to your own account: ends the session an administrator opened as a tenant (POST /tenants/{id}/impersonate) and signs that administrator back in',
        description:
          'Only from an impersonation session, and only back to the administrator who opened it (no password is asked). If their own session ended meanwhile, the impersonation still ends and the answer is 401: sign in again.',
        response: { 200: ZSessionResponse },
      },
    },
    async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE] ?? '';
      try {
        const result = await services.auth.endImpersonation(contextOf(request), cookie);
        setSessionCookie(request, reply, result.cookie);
        return result.session;
      } catch (error) {
        if (error instanceof AppError && error.code === 'UNAUTHENTICATED')
          void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        throw error;
      }
    },
  );

  app.get(
    '/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user and the CSRF token for cookie-authenticated mutations',
        response: { 200: ZSessionResponse },
      },
    },
    async (request) => services.auth.me(contextOf(request).principal, request.cookies[SESSION_COOKIE]),
  );

  app.post(
    '/me/password',
    {
      schema: {
        tags: ['auth'],
        summary: "Change the signed-in user's password (other sessions end)",
        body: ZChangePasswordRequest,
        response: { 200: ZOk },
      },
    },
    async (request) => {
      await services.auth.changePassword(contextOf(request), request.body);
      return { ok: true as const };
    },
  );

  await app.register(twoFactorRoutes, { services });
};
