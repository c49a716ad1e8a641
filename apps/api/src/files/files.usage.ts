import fs from 'node:fs/promises';
import { Dir, DIR_FLAGS, isErrno, openDirAt, pathOfHandle } from '@berth/runtime/dir-fd';

const LSTAT_BATCH = 64;

/**
 * measureDiskUsage is `du -s` in Node: the bytes allocated (st_blocks × 512) to `dir` and everything
 * below it, links counted as themselves and never followed. It walks through directory descriptors (a
 * folder the tenant swaps for a link while it is being walked is counted as the link, never entered), so
 * the tenant's own number is all a race can skew. A missing `dir` uses nothing; entries that vanish while
 * it walks are skipped.
 */
export async function measureDiskUsage(dir: string): Promise<number> {
  let root: Dir;
  try {
    const handle = await fs.open(dir, DIR_FLAGS);
    root = new Dir(
      handle,
      await pathOfHandle(handle).catch(async (error: unknown) => {
        await handle.close();
        throw error;
      }),
    );
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) return 0;
    throw error;
  }
  return walk(root);
}

async function walk(dir: Dir): Promise<number> {
  try {
    let total = (await dir.handle.stat()).blocks * 512;
    const names = await fs.readdir(dir.proc);
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = names.slice(i, i + LSTAT_BATCH);
      const stats = await Promise.all(
        batch.map((name) =>
          fs.lstat(dir.entry(name)).catch((error: unknown) => {
            if (isErrno(error, 'ENOENT')) return null;
            throw error;
          }),
        ),
      );
      for (const [j, s] of stats.entries()) {
        if (!s) continue;
        if (!s.isDirectory()) {
          total += s.blocks * 512;
          continue;
        }
        const child = await openDirAt(dir, batch[j]!).catch((error: unknown) => {
          if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) return null;
          throw error;
        });
        total += child ? await walk(child) : s.blocks * 512;
      }
    }
    return total;
  } finally {
    await dir.close();
  }
}

/**
 * databaseBytes is what a tenant's databases hold, as their servers last reported it (the control plane reads
 * the sizes on every pass): it counts in the plan's disk limit with the site files.
 */
export async function databaseBytes(
  db: {
    database: {
      aggregate(args: {
        where: { tenantId: string };
        _sum: { sizeBytes: true };
      }): Promise<{ _sum: { sizeBytes: bigint | null } }>;
    };
  },
  tenantId: string,
): Promise<number> {
  const result = await db.database.aggregate({ where: { tenantId }, _sum: { sizeBytes: true } });
  return Number(result._sum.sizeBytes ?? 0n);
}
