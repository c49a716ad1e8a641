import type { TErrorBody, TSessionResponse } from '@berth/contracts';

/** ApiIssue is one field problem from `error.details.issues`; `path` names the field inside the request part `in`. */
export interface ApiIssue {
  in?: string;
  path: string[];
  message: string;
}

/** ApiError carries the API's error code, message and field issues to the form that made the request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
  }
}

let csrfToken = '';

/** rememberSession keeps the CSRF token that cookie-authenticated mutations must send. */
export function rememberSession(session: TSessionResponse): void {
  csrfToken = session.csrfToken;
}

/** forgetSession drops the CSRF token after sign-out. */
export function forgetSession(): void {
  csrfToken = '';
}

/** apiUrl is the absolute browser path of an API route (downloads use it as a plain link). */
export function apiUrl(path: string): string {
  return `/api/v1${path}`;
}

async function send<T>(
  method: string,
  path: string,
  body: BodyInit | undefined,
  contentType: string | undefined,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (contentType) headers['content-type'] = contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(apiUrl(path), { method, headers, credentials: 'same-origin', body });
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // A proxy's HTML error page or a cut-off body: say so rather than failing on JSON.parse.
    throw new ApiError(res.status, 'INTERNAL', `The panel answered HTTP ${res.status} with a body that is not JSON.`);
  }
  if (!res.ok) {
    const error = (data as TErrorBody | undefined)?.error;
    const details = error?.details as { issues?: ApiIssue[] } | undefined;
    throw new ApiError(
      res.status,
      error?.code ?? 'INTERNAL',
      error?.message ?? `HTTP ${res.status}`,
      details?.issues ?? [],
    );
  }
  return data as T;
}

/** api calls the Berth API with the session cookie and a JSON body, adding X-CSRF-Token on mutations. */
export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(
    method,
    path,
    body === undefined ? undefined : JSON.stringify(body),
    body === undefined ? undefined : 'application/json',
  );
}

/** apiUpload sends a raw body (a file) with its own content type, for routes that take bytes rather than JSON. */
export function apiUpload<T>(method: 'PUT' | 'POST', path: string, body: Blob): Promise<T> {
  return send<T>(method, path, body, 'application/octet-stream');
}

/** isNotFound tells whether an error is the API's 404: a missing thing, or a route this panel does not have yet. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** queryString builds `?a=1&b=x` from the set values of a filter object (undefined and '' are left out). */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** TPageOf is the API's list answer: the items of this page and the total count. */
export interface TPageOf<T> {
  items: T[];
  total: number;
}
