import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { TErrorBody, TErrorCode } from '@berth/contracts';
import { AppError } from '../errors.js';

function send(reply: FastifyReply, status: number, code: TErrorCode, message: string, details?: unknown): FastifyReply {
  const body: TErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
  return reply.status(status).send(body);
}

/**
 * registerErrorHandler maps every error to `{ error: { code, message, details? } }`: AppError by its code,
 * schema failures to VALIDATION_FAILED with one issue per field, Fastify's own body/content-type errors to
 * their 4xx, and anything else to a 500 whose message says nothing about internals.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.code === 'RATE_LIMITED') {
        const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (retry) void reply.header('retry-after', String(retry));
      }
      return send(reply, error.status, error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      // Each entry looks like { instancePath: '/owner/email', message: 'Enter a valid email address.', keyword: 'invalid_format' }.
      const issues = error.validation.map((v) => ({
        in: error.validationContext ?? 'body',
        path: v.instancePath.split('/').filter((segment) => segment.length > 0),
        message: v.message ?? 'Invalid value.',
      }));
      const first = issues[0];
      const where = first && first.path.length > 0 ? `${first.in}.${first.path.join('.')}` : (first?.in ?? 'request');
      return send(reply, 400, 'VALIDATION_FAILED', `Invalid ${where}: ${first?.message ?? 'check the request'}`, {
        issues,
      });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return send(reply, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return send(reply, 400, 'VALIDATION_FAILED', 'Unsupported Content-Type; send application/json.');
    }
    if (
      error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      error instanceof SyntaxError
    ) {
      return send(reply, 400, 'VALIDATION_FAILED', 'The request body is not valid JSON.');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, error.statusCode, 'VALIDATION_FAILED', error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return send(reply, 500, 'INTERNAL', 'Something went wrong on the server; the error is in the panel log.');
  });
}
