import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;

/**
 * readRange streams bytes `[start, end)` of an open file with positioned reads, and never closes the
 * handle: a FileHandle's own read streams close it when they are destroyed (even with autoClose false),
 * which breaks a reader that asks for many ranges of one file (yauzl) or stops one file of many early.
 */
export function readRange(handle: FileHandle, start: number, end: number): Readable {
  let position = start;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read(size) {
      const length = Math.min(Math.max(size, CHUNK_BYTES), end - position);
      if (length <= 0) {
        this.push(null);
        return;
      }
      handle.read(Buffer.alloc(length), 0, length, position).then(
        ({ bytesRead, buffer }) => {
          if (bytesRead === 0) {
            this.push(null);
            return;
          }
          position += bytesRead;
          this.push(buffer.subarray(0, bytesRead));
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
  });
}
