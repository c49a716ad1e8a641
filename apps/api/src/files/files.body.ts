import type { FileHandle } from 'node:fs/promises';
import { finished, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * copyBody streams a request body into `file`, flushes and closes it, and returns the byte count. `onChunk(total, chunkBytes, chunk)` runs
 * before each chunk is written and may throw to stop the copy (size limits). The body is piped, not
 * handed to pipeline(), so that stopping does not destroy the request: the client still gets the answer.
 * A client that goes away mid-body fails the copy.
 */
export async function copyBody(
  body: Readable,
  file: FileHandle,
  onChunk: (totalBytes: number, chunkBytes: number, chunk: Buffer) => void,
): Promise<number> {
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        total += chunk.length;
        onChunk(total, chunk.length, chunk);
        callback(null, chunk);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  const stopWatching = finished(body, (error) => {
    if (error) counter.destroy(error);
  });
  body.pipe(counter);
  try {
    // The stream fsyncs and closes `file` when done (or fails): the data is on disk before any rename.
    await pipeline(counter, file.createWriteStream({ flush: true }));
  } finally {
    stopWatching();
    body.unpipe(counter);
  }
  return total;
}
