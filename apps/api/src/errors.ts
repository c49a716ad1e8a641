import { ERROR_CODES, type TErrorCode } from '@berth/contracts';

/**
 * AppError is the one error type services throw. The error handler maps `code` to its HTTP status from
 * ERROR_CODES and answers `{ error: { code, message, details? } }`.
 */
export class AppError extends Error {
  readonly code: TErrorCode;
  readonly details: unknown;
  readonly status: number;

  constructor(code: TErrorCode, message: string, opts: { cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.details = opts.details;
    this.status = ERROR_CODES[code];
  }
}

/** notFound is the answer for a missing id and for another tenant's id alike (never 403, never a hint). */
export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found.`);
}
