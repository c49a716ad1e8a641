import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  TErrorBody,
  TExtractArchiveRequest,
  TExtractArchiveResult,
  TFileEntry,
  TFileListing,
  TFileMode,
  TSessionResponse,
} from '@berth/contracts';
import { api, ApiError, apiUrl, isNotFound, queryString, type ApiIssue } from '../api';
import { SESSION_KEY } from './session';

function encodePath(path: string): string {
  return path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

/** filesPath is the API path of a file or folder (`''` is the document root) with each segment encoded. */
export function filesPath(siteId: string, path: string): string {
  const encoded = encodePath(path);
  return `/sites/${encodeURIComponent(siteId)}/files${encoded ? `/${encoded}` : ''}`;
}

/** downloadUrl is a plain link the browser follows with the session cookie (the API answers an attachment). */
export function downloadUrl(siteId: string, path: string): string {
  return apiUrl(filesPath(siteId, path));
}

/** zipDownloadUrl is the link that downloads a folder (`''`: the whole site) as one zip. */
export function zipDownloadUrl(siteId: string, path: string): string {
  return `${apiUrl(filesPath(siteId, path))}?format=zip`;
}

/** joinPath appends a name to a folder path without doubling slashes. */
export function joinPath(dir: string, name: string): string {
  return [...dir.split('/').filter(Boolean), name].join('/');
}

export type FilesListing = { available: false } | { available: true; entries: TFileEntry[] };

/**
 * useFileListing lists a folder. A 404 on the document root means this panel has no files API (the site
 * itself was just read), which the view shows as "not available" instead of an error.
 */
export function useFileListing(siteId: string, path: string) {
  return useQuery({
    queryKey: ['files', siteId, path],
    queryFn: async (): Promise<FilesListing> => {
      try {
        const listing = await api<TFileListing>('GET', filesPath(siteId, path));
        return { available: true, entries: listing.entries };
      } catch (error) {
        if (path === '' && isNotFound(error)) return { available: false };
        throw error;
      }
    },
  });
}

function useInvalidateFiles(siteId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['files', siteId] });
}

/** csrfOf is the session's CSRF token (the session query keeps it), for the raw requests below. */
function csrfOf(queryClient: QueryClient): string {
  return queryClient.getQueryData<TSessionResponse | null>(SESSION_KEY)?.csrfToken ?? '';
}

/** errorFrom turns an error answer's text into the console's ApiError. */
function errorFrom(status: number, text: string): ApiError {
  let body: TErrorBody | undefined;
  try {
    body = text ? (JSON.parse(text) as TErrorBody) : undefined;
  } catch {
    return new ApiError(status, 'INTERNAL', `The panel answered HTTP ${status} with a body that is not JSON.`);
  }
  const details = body?.error.details as { issues?: ApiIssue[] } | undefined;
  return new ApiError(
    status,
    body?.error.code ?? 'INTERNAL',
    body?.error.message ?? `HTTP ${status}`,
    details?.issues ?? [],
  );
}

/** TextFile is a file opened for editing: its text and the ETag to send back as If-Match. */
export type TextFile = { kind: 'text'; text: string; etag: string } | { kind: 'binary' };

/**
 * readTextFile downloads a file for the editor. Bytes that are not UTF-8, or hold a NUL, are "binary"
 * (the editor refuses them rather than corrupting them on save).
 */
export async function readTextFile(siteId: string, path: string): Promise<TextFile> {
  const res = await fetch(apiUrl(filesPath(siteId, path)), { credentials: 'same-origin' });
  if (!res.ok) throw errorFrom(res.status, await res.text());
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.includes(0)) return { kind: 'binary' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { kind: 'text', text, etag: res.headers.get('etag') ?? '' };
  } catch {
    return { kind: 'binary' };
  }
}

/**
 * useSaveTextFile saves the editor's text with `If-Match: <etag>` (unless `etag` is null: overwrite on
 * purpose) and answers the new ETag. A file changed meanwhile is a 412 FILE_CHANGED ApiError.
 */
export function useSaveTextFile(siteId: string) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: async ({ path, text, etag }: { path: string; text: string; etag: string | null }) => {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'content-type': 'application/octet-stream',
        'x-csrf-token': csrfOf(queryClient),
      };
      if (etag !== null) headers['if-match'] = etag;
      const res = await fetch(apiUrl(filesPath(siteId, path)), {
        method: 'PUT',
        headers,
        credentials: 'same-origin',
        body: new Blob([text]),
      });
      const answer = await res.text();
      if (!res.ok) throw errorFrom(res.status, answer);
      return { etag: res.headers.get('etag') ?? '' };
    },
    onSuccess: invalidate,
  });
}

/** PROGRESS_FROM_BYTES: smaller uploads go with fetch; larger ones with XMLHttpRequest, which reports upload progress. */
export const PROGRESS_FROM_BYTES = 4 * 1024 * 1024;

export interface UploadArgs {
  path: string;
  file: Blob;
  /** Send If-None-Match: * so that an existing file is a FILE_EXISTS answer instead of being replaced. */
  createOnly: boolean;
  /** Called with the fraction sent (0..1) for large uploads. */
  onProgress?: (fraction: number) => void;
}

function uploadWithProgress(url: string, headers: Record<string, string>, args: UploadArgs): Promise<TFileEntry> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) args.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText) as TFileEntry);
      else reject(errorFrom(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new TypeError('The upload could not reach the panel.'));
    xhr.send(args.file);
  });
}

/**
 * useUploadFile sends a file as the raw body of PUT …/files/{path}. With `createOnly`, an existing file is
 * not replaced (409 FILE_EXISTS) so the view can ask first.
 */
export function useUploadFile(siteId: string) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: async (args: UploadArgs): Promise<TFileEntry> => {
      const url = apiUrl(filesPath(siteId, args.path));
      const headers: Record<string, string> = {
        accept: 'application/json',
        'content-type': 'application/octet-stream',
        'x-csrf-token': csrfOf(queryClient),
      };
      if (args.createOnly) headers['if-none-match'] = '*';
      if (args.file.size >= PROGRESS_FROM_BYTES) return uploadWithProgress(url, headers, args);
      const res = await fetch(url, { method: 'PUT', headers, credentials: 'same-origin', body: args.file });
      const text = await res.text();
      if (!res.ok) throw errorFrom(res.status, text);
      return JSON.parse(text) as TFileEntry;
    },
    onSuccess: invalidate,
  });
}

/** useMakeDirectory makes a folder (and missing parents) with POST …/directories/{path}. */
export function useMakeDirectory(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: (path: string) =>
      api<TFileEntry>('POST', `/sites/${encodeURIComponent(siteId)}/directories/${encodePath(path)}`),
    onSuccess: invalidate,
  });
}

/** useDeleteFile deletes a file or link, or a folder with everything in it (recursive). */
export function useDeleteFile(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: ({ path, recursive }: { path: string; recursive: boolean }) =>
      api('DELETE', `${filesPath(siteId, path)}${queryString({ recursive: recursive ? 'true' : undefined })}`),
    onSuccess: invalidate,
  });
}

/** useMoveFile renames or moves an entry with PATCH …/files/{path} `{ to, overwrite }`. */
export function useMoveFile(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: ({ path, to, overwrite }: { path: string; to: string; overwrite: boolean }) =>
      api<TFileEntry>('PATCH', filesPath(siteId, path), overwrite ? { to, overwrite } : { to }),
    onSuccess: invalidate,
  });
}

/** useChangeMode sets the permissions of a file or folder with PATCH …/files/{path} `{ mode }`. */
export function useChangeMode(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: ({ path, mode }: { path: string; mode: TFileMode }) =>
      api<TFileEntry>('PATCH', filesPath(siteId, path), { mode }),
    onSuccess: invalidate,
  });
}

/** useExtractArchive extracts an uploaded zip with POST …/extractions/{path}. */
export function useExtractArchive(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: ({ path, ...body }: { path: string } & TExtractArchiveRequest) =>
      api<TExtractArchiveResult>('POST', `/sites/${encodeURIComponent(siteId)}/extractions/${encodePath(path)}`, body),
    onSuccess: invalidate,
  });
}
