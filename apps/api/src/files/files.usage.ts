import fs from 'node:fs/promises';
import path from 'node:path';
import { isErrno } from './files.docroot.js';

const LSTAT_BATCH = 64;

/**
 * measureDiskUsage is `du -s` in Node: the bytes allocated (st_blocks × 512) to `dir` and everything
 * below it, links counted as themselves and never followed. A missing `dir` uses nothing; entries that
 * vanish while it walks are skipped. The result only feeds the plan's disk limit, so a race with the
 * tenant's own processes can only skew the tenant's own number.
 */
export async function measureDiskUsage(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    let names: string[];
    try {
      total += (await fs.lstat(current)).blocks * 512;
      names = await fs.readdir(current);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) continue;
      throw error;
    }
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = names.slice(i, i + LSTAT_BATCH).map((name) => path.join(current, name));
      const stats = await Promise.all(batch.map((p) => fs.lstat(p).catch((error: unknown) => {
        if (isErrno(error, 'ENOENT')) return null;
        throw error;
      })));
      stats.forEach((s, j) => {
        if (!s) return;
        if (s.isDirectory()) pending.push(batch[j]!);
        else total += s.blocks * 512;
      });
    }
  }
  return total;
}
