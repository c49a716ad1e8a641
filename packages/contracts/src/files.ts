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
/**
 * FILE_EDIT_MAX_BYTES is the largest file the console opens in its editor; it is also the bound below which
 * a file's ETag is a hash of its bytes (above it, of its inode, size and modification time).
 */
export const FILE_EDIT_MAX_BYTES = 2 * 1024 * 1024;
/** ARCHIVE_MAX_ENTRIES bounds how many entries one zip may hold to be extracted (a zip bomb of many small files). */
export const ARCHIVE_MAX_ENTRIES = 20_000;
/** ARCHIVE_MAX_BYTES bounds the declared uncompressed size of one zip to be extracted, whatever the plan's disk allows. */
export const ARCHIVE_MAX_BYTES = 2 * 1024 * 1024 * 1024;

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
  /** The permission bits as four octal digits (`0644`); a link's are always `0777` and mean nothing. */
  mode: z.string().regex(/^[0-7]{4}$/),
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

/** ZFileReadQuery: `format=zip` downloads a folder (with everything in it) as one zip file. */
export const ZFileReadQuery = z.object({
  format: z.enum(['zip'], 'The only download format is format=zip (for a folder).').optional(),
});

/**
 * FILE_MODES are the permissions a tenant may set: read/write for the owner, optionally read (and write)
 * for the group and read for others, with execute (for folders: enter) on the same levels. Never setuid,
 * setgid or sticky, never writable by others.
 */
export const FILE_MODES = [
  '0400',
  '0440',
  '0444',
  '0600',
  '0640',
  '0644',
  '0660',
  '0664',
  '0500',
  '0550',
  '0555',
  '0700',
  '0750',
  '0755',
  '0770',
  '0775',
] as const;
export const ZFileMode = z.enum(
  FILE_MODES,
  `Use one of ${FILE_MODES.join(', ')} (setuid, setgid, sticky and world-writable modes are not allowed).`,
);
export type TFileMode = z.infer<typeof ZFileMode>;

/**
 * ZUpdateFileRequest is the body of `PATCH /sites/{id}/files/{path}`: either `to`, a new path below the
 * document root (rename or move; missing folders are made; an existing target is FILE_EXISTS unless
 * `overwrite` is true and both are files), or `mode`, new permissions (fchmod through a descriptor; a
 * link is refused). One change per request.
 */
export const ZUpdateFileRequest = z
  .strictObject({
    to: ZFilePath.optional(),
    overwrite: z.boolean().optional(),
    mode: ZFileMode.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.to === undefined) === (value.mode === undefined))
      ctx.addIssue({
        code: 'custom',
        path: value.to === undefined ? ['to'] : ['mode'],
        message: 'Give either "to" (a new path, to rename or move) or "mode" (new permissions), one per request.',
      });
    if (value.overwrite !== undefined && value.to === undefined)
      ctx.addIssue({ code: 'custom', path: ['overwrite'], message: '"overwrite" only goes with "to".' });
  });
export type TUpdateFileRequest = z.infer<typeof ZUpdateFileRequest>;

/**
 * ZExtractArchiveRequest is the body of `POST /sites/{id}/extractions/{path of a .zip}`: the zip is
 * extracted into `into` (default: the folder it is in). Existing files are FILE_EXISTS (with the first few
 * in `details.paths`) unless `overwrite` is true; `deleteArchive` removes the zip once it is extracted.
 */
export const ZExtractArchiveRequest = z.strictObject({
  into: ZFilePath.optional(),
  overwrite: z.boolean().default(false),
  deleteArchive: z.boolean().default(false),
});
export type TExtractArchiveRequest = z.input<typeof ZExtractArchiveRequest>;

/** ZExtractArchiveResult says what an extraction wrote and what it left out (links and special files are never extracted). */
export const ZExtractArchiveResult = z.object({
  into: z.string(),
  files: z.number().int().nonnegative(),
  directories: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type TExtractArchiveResult = z.infer<typeof ZExtractArchiveResult>;
