import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZConfirmTwoFactorRequest,
  ZDisableTwoFactorRequest,
  ZOk,
  ZRecoveryCodes,
  ZRegenerateRecoveryCodesRequest,
  ZSessionResponse,
  ZStartTwoFactorRequest,
  ZTotpLoginRequest,
  ZTwoFactorEnrolment,
  ZTwoFactorStatus,
} from '@berth/contracts';
import { contextOf, setSessionCookie } from '../http/auth.hook.js';
import type { Services } from '../services.js';

/** twoFactorRoutes: the second sign-in step and the signed-in user's two-factor settings. */
export const twoFactorRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['auth'];
  app.post(
    '/auth/login/totp',
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'Second sign-in step: the challenge from /auth/login and a code from the authenticator app (or a recovery code); sets the session cookie',
        body: ZTotpLoginRequest,
        response: { 200: ZSessionResponse },
      },
    },
    async (request, reply) => {
      const { session, cookie } = await services.twoFactor.completeLogin({ ...request.body, ip: request.ip });
      setSessionCookie(request, reply, cookie);
      return session;
    },
  );

  app.get(
    '/me/two-factor',
    { schema: { tags, summary: "The signed-in user's two-factor sign-in state", response: { 200: ZTwoFactorStatus } } },
    async (request) => services.twoFactor.status(contextOf(request)),
  );

  app.post(
    '/me/two-factor/enrolment',
    {
      schema: {
        tags,
        summary: 'Start two-factor enrolment (password again): a new secret and otpauth:// URI, active once confirmed',
        body: ZStartTwoFactorRequest,
        response: { 200: ZTwoFactorEnrolment },
      },
    },
    async (request) => services.twoFactor.startEnrolment(contextOf(request), request.body),
  );

  app.post(
    '/me/two-factor/enrolment/confirm',
    {
      schema: {
        tags,
        summary:
          'Confirm enrolment with a code from the app: two-factor sign-in is on; the recovery codes are in this response only',
        body: ZConfirmTwoFactorRequest,
        response: { 200: ZRecoveryCodes },
      },
    },
    async (request) => services.twoFactor.confirmEnrolment(contextOf(request), request.body),
  );

  app.post(
    '/me/two-factor/disable',
    {
      schema: {
        tags,
        summary: 'Turn two-factor sign-in off (password and a code or a recovery code)',
        body: ZDisableTwoFactorRequest,
        response: { 200: ZOk },
      },
    },
    async (request) => {
      await services.twoFactor.disable(contextOf(request), request.body);
      return { ok: true as const };
    },
  );

  app.post(
    '/me/two-factor/recovery-codes',
    {
      schema: {
        tags,
        summary:
          'Replace every recovery code (a code from the app is required); the new codes are in this response only',
        body: ZRegenerateRecoveryCodesRequest,
        response: { 200: ZRecoveryCodes },
      },
    },
    async (request) => services.twoFactor.regenerateRecoveryCodes(contextOf(request), request.body),
  );
};
