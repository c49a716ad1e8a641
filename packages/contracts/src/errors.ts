import { z } from 'zod';

/**
 * ERROR_CODES is every error code the API can answer with, its HTTP status, and when it is thrown. Clients
 * (the console, billing integrations) switch on `code`, never on `message`.
 */
export const ERROR_CODES = {
  /** A body, query or path parameter failed its schema; `details.issues` says which field and why. */
  VALIDATION_FAILED: 400,
  /** No valid session cookie or bearer token, or the session/token expired. */
  UNAUTHENTICATED: 401,
  /** Email or password wrong at login (deliberately not saying which). */
  INVALID_CREDENTIALS: 401,
  /** A cookie-authenticated mutation came without a matching X-CSRF-Token header. */
  CSRF_TOKEN_INVALID: 403,
  /** The caller is known but its role or token scope does not allow this action. */
  FORBIDDEN: 403,
  /** The thing does not exist, or belongs to another tenant (never distinguished). */
  NOT_FOUND: 404,
  /** A request body exceeded the allowed size. */
  PAYLOAD_TOO_LARGE: 413,
  /** The hostname is already used by a domain somewhere on this panel. */
  HOSTNAME_TAKEN: 409,
  /** BERTH_DOMAIN_VERIFICATION=dns and DNS does not (yet) show the hostname's verification record. */
  DOMAIN_NOT_VERIFIED: 409,
  /** Retry applies to a failed or degraded site only; this one is still converging, live or suspended. */
  SITE_NOT_FAILED: 409,
  /** A database or database user of that engine already has this name (names are unique per server). */
  DATABASE_NAME_TAKEN: 409,
  /** The database server could not be started or does not answer right now; nothing was changed, retry shortly. */
  DATABASE_UNAVAILABLE: 503,
  /** phpMyAdmin and Adminer are not set up on this panel (BERTH_DB_ADMIN_HOST is not set). */
  DB_ADMIN_NOT_CONFIGURED: 409,
  /** The site's document root already has files; an application is installed only into an empty site. */
  SITE_NOT_EMPTY: 409,
  /** The site cannot take this application now: not a PHP site, not live yet, or an installation is running or done. */
  APP_NOT_INSTALLABLE: 409,
  /** A backup of this tenant is already queued or running, or a restore is; wait for it to finish. */
  BACKUP_BUSY: 409,
  /** The backup failed, or retention removed its snapshot, or it does not hold what was asked; choose another. */
  BACKUP_NOT_RESTORABLE: 409,
  /** Backups cannot be read right now (the control plane is not running or the repository does not answer). */
  BACKUP_UNAVAILABLE: 503,
  /** A run of this cron job is still going; wait for it to finish (runs never overlap). */
  CRON_JOB_RUNNING: 409,
  /** The file changed since it was read (If-Match did not match its current ETag); reload it, or overwrite on purpose. */
  FILE_CHANGED: 412,
  /** Something already exists at that path (a rename target, or an upload sent with If-None-Match: *). */
  FILE_EXISTS: 409,
  /** The tenant slug is already used. */
  SLUG_TAKEN: 409,
  /** The email is already used by another user. */
  EMAIL_TAKEN: 409,
  /** The tenant already has a site with this name. */
  SITE_NAME_TAKEN: 409,
  /** The plan name is already used. */
  PLAN_NAME_TAKEN: 409,
  /** The plan still has tenants and cannot be deleted. */
  PLAN_IN_USE: 409,
  /** The tenant is suspended; unsuspend it before changing its sites. */
  TENANT_SUSPENDED: 409,
  /** The same Idempotency-Key was sent with a different body. */
  IDEMPOTENCY_KEY_REUSED: 409,
  /** A request with the same Idempotency-Key is still running and did not finish in time; retry with the same key. */
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  /** A single sign-on link was already used, has expired or never existed; ask the billing system for a new one. */
  SSO_LINK_INVALID: 410,
  /** The action would exceed a limit of the tenant's plan. */
  PLAN_LIMIT_REACHED: 422,
  /** The runtime version is not in the catalog or not allowed by the tenant's plan. */
  VERSION_NOT_ALLOWED: 422,
  /** The settings are outside the bounds of the tenant's plan. */
  SETTING_OUT_OF_BOUNDS: 422,
  /** The tenant has Varnish switched off, so there is no cache to purge. */
  CACHE_NOT_ENABLED: 409,
  /** The tenant's Varnish is switched on but not running or not answering (still starting, stopped or failed); retry once the site is live. */
  CACHE_NOT_RUNNING: 409,
  /** The Docker engine or the tenant's cache cannot be reached right now; retry shortly. */
  RUNTIME_UNAVAILABLE: 503,
  /** The account's own disk is not mounted yet (a new account's first seconds, or the panel is starting); retry shortly. */
  FILES_NOT_READY: 503,
  /** No free 127.0.0.1 port is left in the configured range. */
  PORTS_EXHAUSTED: 503,
  /** Too many failed logins from this address or for this account; retry later. */
  RATE_LIMITED: 429,
  /** The code from the authenticator app (or the recovery code) is wrong, or was already used. */
  TOTP_CODE_INVALID: 401,
  /** The two-factor sign-in challenge is unknown, expired, used, or had too many wrong codes; sign in with the password again. */
  TOTP_CHALLENGE_INVALID: 401,
  /** The installation requires administrators to use two-factor sign-in: enrol at /me/two-factor before anything else. */
  TOTP_ENROLMENT_REQUIRED: 403,
  /** Two-factor sign-in is already on for this user; turn it off before enrolling another device. */
  TOTP_ALREADY_ENABLED: 409,
  /** Two-factor sign-in is off for this user, so there is nothing to turn off or regenerate. */
  TOTP_NOT_ENABLED: 409,
  /** No enrolment is waiting for confirmation (never started, expired after 10 minutes, or the panel restarted). */
  TOTP_ENROLMENT_NOT_STARTED: 409,
  /** Anything unexpected; the message is generic and the details are in the server log. */
  INTERNAL: 500,
} as const;

export type TErrorCode = keyof typeof ERROR_CODES;

/** TErrorBody is the one shape of every error response. */
export interface TErrorBody {
  error: { code: TErrorCode; message: string; details?: unknown };
}

/** ZErrorBody is TErrorBody as a schema: the OpenAPI document gives it as the body of every error answer. */
export const ZErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [TErrorCode, ...TErrorCode[]]),
      message: z.string(),
      details: z
        .unknown()
        .optional()
        .describe('Depends on the code; VALIDATION_FAILED has `issues: [{ in, path, message }]`.'),
    }),
  })
  .meta({ id: 'ErrorBody' });
