import type { TErrorBody, TSessionResponse } from '@berth/contracts';

/** ApiError carries the API's error code, message and field issues to the form that made the request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string[]; message: string }[] = [],
  ) {
    super(message);
  }
}

let csrfToken = '';

/** rememberSession keeps the CSRF token that cookie-authenticated mutations must send. */
export function rememberSession(session: TSessionResponse): void {
  csrfToken = session.csrfToken;
}

/** api calls the Berth API with the session cookie, adding X-CSRF-Token on mutations. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const error = (data as TErrorBody | undefined)?.error;
    const details = error?.details as { issues?: { path: string[]; message: string }[] } | undefined;
    throw new ApiError(res.status, error?.code ?? 'INTERNAL', error?.message ?? `HTTP ${res.status}`, details?.issues ?? []);
  }
  return data as T;
}
