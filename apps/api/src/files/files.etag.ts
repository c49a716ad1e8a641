import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { FILE_EDIT_MAX_BYTES } from '@berth/contracts';

/**
 * A file's ETag is strong and comes in two kinds, chosen by the file's current size:
 * - up to FILE_EDIT_MAX_BYTES (every file the console's editor opens): `"h-<sha256 of the bytes, base64url>"`,
 *   exact whatever the filesystem's timestamp granularity (two writes in one clock tick with the same size
 *   still differ);
 * - above it: `"s-<inode>-<size>-<mtime ns>-<ctime ns>"` (hex), from one fstat, without reading the file.
 * A file that crosses the bound changes kind, so its old ETag no longer matches, which is right: it changed.
 */

/** FileVersion is a file's ETag with the bytes it was computed from (when they were read, up to the bound). */
export interface FileVersion {
  etag: string;
  /** The whole content, read through the same descriptor, when the file is small enough to hash. */
  bytes: Buffer | null;
}

/** versionOf computes the ETag of the open regular file `handle` (reading it when it is small enough). */
export async function versionOf(handle: FileHandle): Promise<FileVersion> {
  const stats = await handle.stat({ bigint: true });
  if (stats.size <= BigInt(FILE_EDIT_MAX_BYTES)) {
    const bytes = await readAll(handle, Number(stats.size));
    return { etag: hashTag(bytes), bytes };
  }
  return { etag: statTag(stats), bytes: null };
}

/** hashTag is the ETag of a small file's exact bytes. */
export function hashTag(bytes: Buffer): string {
  return `"h-${createHash('sha256').update(bytes).digest('base64url')}"`;
}

function statTag(stats: BigIntStats): string {
  const hex = (n: bigint) => n.toString(16);
  return `"s-${hex(stats.ino)}-${hex(stats.size)}-${hex(stats.mtimeNs)}-${hex(stats.ctimeNs)}"`;
}

/**
 * ifMatchAllows tells whether an `If-Match` header value lets a write replace a file whose current ETag is
 * `current` (null: there is no file). `*` matches any existing file; otherwise the comparison is strong
 * (RFC 9110 §13.1.1): a weak tag `W/"…"` never matches.
 */
export function ifMatchAllows(header: string, current: string | null): boolean {
  if (current === null) return false;
  const value = header.trim();
  if (value === '*') return true;
  return value
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === current);
}

/** readAll reads `size` bytes from the start of `handle` (fewer if the file shrank meanwhile). */
async function readAll(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return offset === size ? buffer : buffer.subarray(0, offset);
}
