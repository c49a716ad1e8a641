import { z } from 'zod';
import { ZId } from './common.js';

/** FILE_PATH_MAX_BYTES bounds a whole path below the document root (Linux PATH_MAX). */
export const FILE_PATH_MAX_BYTES = 4096;
/** FILE_NAME_MAX_BYTES bounds one path segment (Linux NAME_MAX). */
export const FILE_NAME_MAX_BYTES = 255;
/** FILE_PATH_MAX_DEPTH bounds how many segments a path may have; the server holds one descriptor per level. */
export const FILE_PATH_MAX_DEPTH = 128;
/** FILE_UPLOAD_MAX_BYTES is the hard cap of one upload, whatever the plan's disk allows. */
export const FILE_UPLOAD_MAX_BYTES = 512 * 1024 * 1024;

const utf8 = new TextEncoder();

/**
 * ZFilePath is a path below a site's document root as it arrives in the URL (already URL-decoded once by
 * the router): relative, `/`-separated, without `.`/`..` segments, NUL or backslashes, each segment at
 * most 255 bytes and the whole at most 4096. One trailing `/` is dropped; `''` is the document root
 * itself. Dotfiles are ordinary names. The output is the normalized path.
 */
export const ZFilePath = z
  .string()
  .max(FILE_PATH_MAX_BYTES, `A path is at most ${FILE_PATH_MAX_BYTES} bytes.`)
  .superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (value.includes('\u0000')) return fail('A path cannot contain a NUL character.');
    if (value.includes('\\')) return fail('Separate folders with "/", not backslashes.');
    if (value.startsWith('/')) return fail("Give the path relative to the site's document root, without a leading /.");
    if (utf8.encode(value).length > FILE_PATH_MAX_BYTES) return fail(`A path is at most ${FILE_PATH_MAX_BYTES} bytes.`);
    const segments = splitFilePath(value);
    if (segments.length > FILE_PATH_MAX_DEPTH)
      return fail(`A path has at most ${FILE_PATH_MAX_DEPTH} levels of folders.`);
    for (const segment of segments) {
      if (segment === '') return fail('A path cannot contain an empty segment (//).');
      if (segment === '.' || segment === '..') return fail('A path cannot contain "." or ".." segments.');
      if (utf8.encode(segment).length > FILE_NAME_MAX_BYTES)
        return fail(`A file or folder name is at most ${FILE_NAME_MAX_BYTES} bytes.`);
    }
    return undefined;
  })
  .transform((value) => splitFilePath(value).join('/'));

/** splitFilePath splits a relative path into its segments, ignoring one trailing `/`; `''` has none. */
export function splitFilePath(value: string): string[] {
  const trimmed = value.endsWith('/') ? value.slice(0, -1) : value;
  return trimmed === '' ? [] : trimmed.split('/');
}

/** ZFilePathParams are the params of `/sites/{id}/files/*` and `/sites/{id}/directories/*`. */
export const ZFilePathParams = z.strictObject({ id: ZId, '*': ZFilePath });

export const ZFileEntryType = z.enum(['file', 'directory', 'symlink']);
export type TFileEntryType = z.infer<typeof ZFileEntryType>;

/**
 * ZFileEntry is one file, folder or symbolic link. `size` is in bytes (for a folder, the size of the
 * folder entry itself, not of its contents; for a link, the length of its target text, which is never followed).
 */
export const ZFileEntry = z.object({
  name: z.string(),
  type: ZFileEntryType,
  size: z.number().int().nonnegative(),
  modifiedAt: z.string(),
});
export type TFileEntry = z.infer<typeof ZFileEntry>;

/** ZFileListing is a folder's content: folders first, then files and links, each group by name. */
export const ZFileListing = z.object({
  path: z.string(),
  entries: z.array(ZFileEntry),
});
export type TFileListing = z.infer<typeof ZFileListing>;

/** ZDeleteFileQuery: `recursive=true` deletes a folder with everything in it; without it only an empty folder goes. */
export const ZDeleteFileQuery = z.strictObject({
  recursive: z
    .enum(['true', 'false'], 'Use recursive=true or recursive=false.')
    .default('false')
    .transform((value) => value === 'true'),
});
