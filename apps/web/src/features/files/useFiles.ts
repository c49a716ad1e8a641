import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUpload, apiUrl, isNotFound } from '../../api';

/**
 * TFileEntry is one row of a directory listing from GET /api/v1/sites/{id}/files/{path}. The files API is
 * not in the panel yet and contracts has no schema for it; this is the shape the console expects
 * (asked of the API owner as `ZFileList`), kept here only until contracts defines it.
 */
export interface TFileEntry {
  name: string;
  type: 'file' | 'directory';
  size: number | null;
  modifiedAt: string | null;
}

/** filesPath is the API path of a file or directory (`''` is the site's root) with each segment encoded. */
export function filesPath(siteId: string, path: string): string {
  const encoded = path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return `/sites/${encodeURIComponent(siteId)}/files/${encoded}`;
}

/** downloadUrl is a plain link the browser can follow with the session cookie. */
export function downloadUrl(siteId: string, path: string): string {
  return apiUrl(filesPath(siteId, path));
}

/** joinPath appends a name to a directory path without doubling slashes. */
export function joinPath(dir: string, name: string): string {
  return [...dir.split('/').filter(Boolean), name].join('/');
}

export type FilesListing = { available: false } | { available: true; items: TFileEntry[] };

/**
 * useFileListing lists a directory. A 404 on the site's root means this panel has no files API yet
 * (the site itself was just read), which the view shows as "not available" instead of an error.
 */
export function useFileListing(siteId: string, path: string) {
  return useQuery({
    queryKey: ['files', siteId, path],
    queryFn: async (): Promise<FilesListing> => {
      try {
        const answer = await api<{ items: TFileEntry[] } | TFileEntry[]>('GET', filesPath(siteId, path));
        return { available: true, items: Array.isArray(answer) ? answer : answer.items };
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

export function useUploadFile(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({
    mutationFn: ({ path, file }: { path: string; file: Blob }) => apiUpload('PUT', filesPath(siteId, path), file),
    onSuccess: invalidate,
  });
}

export function useMakeDirectory(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({ mutationFn: (path: string) => api('POST', filesPath(siteId, path)), onSuccess: invalidate });
}

export function useDeleteFile(siteId: string) {
  const invalidate = useInvalidateFiles(siteId);
  return useMutation({ mutationFn: (path: string) => api('DELETE', filesPath(siteId, path)), onSuccess: invalidate });
}
