import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { isErrno } from '../files/files.docroot.js';

/** FileTally is what is known of one access log: bytes per month (UTC, "2026-11") up to `offset`. */
interface FileTally {
  ino: number;
  size: number;
  offset: number;
  /** The text after the last newline read so far: a line Caddy is still writing. */
  partial: string;
  byMonth: Map<string, number>;
}

/** monthOf is the calendar month (UTC) of a date, as "YYYY-MM". */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** monthBounds is the first instant of the month of `date` and of the next month (UTC). */
export function monthBounds(date: Date): { start: Date; end: Date } {
  return {
    start: new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)),
    end: new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)),
  };
}

/**
 * BandwidthMeter sums the response bytes Caddy served for a tenant, per calendar month, from the JSON
 * access logs the edge writes to `<logsDir>/<tenantId>/<hostname>.log`, one object per line:
 *
 *   {"level":"info","ts":1732356000.123,"logger":"http.log.access.berth_log_…","msg":"handled request",
 *    "request":{…,"host":"www.acme.test","uri":"/"},"bytes_read":0,"duration":0.0012,"size":5120,"status":200,…}
 *
 * `size` is the response body in bytes and `ts` Unix seconds. Files are streamed, and only what was
 * appended since the last reading is read again (per file: inode, offset and the unfinished last line).
 * Rolled files (`<hostname>-<time>.log`, gzipped as `.log.gz` by Caddy) are read once each; a rolled or
 * deleted file simply stops counting under its old name, so nothing is counted twice.
 */
export class BandwidthMeter {
  private readonly files = new Map<string, FileTally>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly logsDir: string) {}

  /** bytesInMonth is what the tenant's sites served in the calendar month (UTC) of `at`. */
  bytesInMonth(tenantId: string, at: Date): Promise<number> {
    // One reading at a time: two concurrent readers of one file would count its new lines twice.
    const run = this.queue.then(() => this.measure(tenantId, monthOf(at)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async measure(tenantId: string, month: string): Promise<number> {
    const dir = path.join(this.logsDir, tenantId);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return 0;
      throw error;
    }
    const prefix = `${dir}${path.sep}`;
    const present = new Set<string>();
    let total = 0;
    for (const name of names) {
      if (!name.endsWith('.log') && !name.endsWith('.log.gz')) continue;
      const file = path.join(dir, name);
      const tally = await this.read(file);
      if (!tally) continue;
      present.add(file);
      total += tally.byMonth.get(month) ?? 0;
    }
    for (const file of this.files.keys()) if (file.startsWith(prefix) && !present.has(file)) this.files.delete(file);
    return total;
  }

  private async read(file: string): Promise<FileTally | null> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      throw error;
    }
    if (!stat.isFile()) return null;
    const gzipped = file.endsWith('.gz');
    const known = this.files.get(file);
    if (known && known.ino === stat.ino && known.size === stat.size) return known;
    // Appended to: continue where the last reading stopped. Replaced, truncated or compressed: start over.
    const tally =
      known && !gzipped && known.ino === stat.ino && stat.size > known.offset
        ? known
        : { ino: stat.ino, size: 0, offset: 0, partial: '', byMonth: new Map<string, number>() };
    if (stat.size > tally.offset) {
      const raw = createReadStream(file, { start: tally.offset, end: stat.size - 1 });
      const stream = gzipped ? raw.pipe(createGunzip()) : raw;
      const decoder = new StringDecoder('utf8');
      let rest = tally.partial;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const text = rest + decoder.write(chunk);
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) countLine(tally.byMonth, line);
      }
      if (gzipped) {
        countLine(tally.byMonth, rest);
        rest = '';
      }
      tally.partial = rest;
      tally.offset = stat.size;
    }
    tally.size = stat.size;
    this.files.set(file, tally);
    return tally;
  }
}

/** countLine adds one access-log line's response size to its month; lines that are not access entries are skipped. */
function countLine(byMonth: Map<string, number>, line: string): void {
  if (!line.includes('"size"')) return;
  let entry: { ts?: unknown; size?: unknown };
  try {
    entry = JSON.parse(line) as { ts?: unknown; size?: unknown };
  } catch {
    return; // a torn or foreign line: not a response we can count
  }
  if (typeof entry.size !== 'number' || !Number.isFinite(entry.size) || entry.size < 0) return;
  const at =
    typeof entry.ts === 'number' ? new Date(entry.ts * 1000) : typeof entry.ts === 'string' ? new Date(entry.ts) : null;
  if (!at || Number.isNaN(at.getTime())) return;
  const month = monthOf(at);
  byMonth.set(month, (byMonth.get(month) ?? 0) + entry.size);
}
