import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFileEntry, TFileListing } from '@berth/contracts';
import { api, apiUpload, apiUrl, isNotFound, queryString } from '../api';

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

/** useUploadFile sends a file as the raw body of PUT …/files/{path}; an existing file is replaced. */
export function useUploadFile(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: ({ path, file }: { path: string; file: Blob }) =>
      apiUpload<TFileEntry>('PUT', filesPath(siteId, path), file),
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
