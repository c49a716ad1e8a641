import type { FastifyInstance } from 'fastify';
import type { TwoFactorService } from '../auth/two-factor.service.js';
import { AppError } from '../errors.js';

/** OPEN_WHILE_ENROLLING: what an administrator who must enrol may still call (besides /me/two-factor/*). */
const OPEN_WHILE_ENROLLING = new Set(['GET /api/v1/me', 'POST /api/v1/auth/logout']);

/**
 * registerTwoFactorGate enforces BERTH_REQUIRE_ADMIN_2FA after the auth hook has named the caller: an
 * administrator's browser session without two-factor sign-in gets 403 TOTP_ENROLMENT_REQUIRED on every
 * route but enrolment, GET /me and sign-out, so the console shows the enrolment screen. API tokens are
 * not affected. Register it right after registerAuthHook.
 */
export function registerTwoFactorGate(app: FastifyInstance, twoFactor: TwoFactorService): void {
  app.addHook('onRequest', async (request) => {
    if (!request.principal) return;
    const url = request.routeOptions.url ?? '';
    if (OPEN_WHILE_ENROLLING.has(`${request.method} ${url}`) || url.startsWith('/api/v1/me/two-factor')) return;
    if (await twoFactor.enrolmentRequiredFor(request.principal)) {
      throw new AppError(
        'TOTP_ENROLMENT_REQUIRED',
        'This panel requires administrators to use two-factor sign-in. Set it up under Account first.',
      );
    }
  });
}
