import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import type { TFileEntry } from '@berth/contracts';
import { isErrno } from './files.docroot.js';

const LSTAT_BATCH = 64;

/** toEntry describes one file, folder or link from its lstat (a link is never followed). */
export function toEntry(name: string, stats: Stats): TFileEntry {
  const type = stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'file';
  return { name, type, size: stats.size, modifiedAt: stats.mtime.toISOString(), mode: formatMode(stats.mode) };
}

/** formatMode writes the permission bits (with setuid, setgid and sticky) as four octal digits. */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * listDirectory lists the folder at `dirPath` (a descriptor-anchored `/proc/self/fd/<fd>` path), folders
 * first, then files and links, each group by name (code-point order). Sockets and FIFOs are left out;
 * entries that vanish while it lists are skipped.
 */
export async function listDirectory(dirPath: string): Promise<TFileEntry[]> {
  const names = await fs.readdir(dirPath);
  const entries: TFileEntry[] = [];
  for (let i = 0; i < names.length; i += LSTAT_BATCH) {
    const batch = names.slice(i, i + LSTAT_BATCH);
    const stats = await Promise.all(
      batch.map((name) =>
        fs.lstat(`${dirPath}/${name}`).catch((error: unknown) => {
          if (isErrno(error, 'ENOENT')) return null;
          throw error;
        }),
      ),
    );
    stats.forEach((s, j) => {
      if (s && (s.isDirectory() || s.isFile() || s.isSymbolicLink())) entries.push(toEntry(batch[j]!, s));
    });
  }
  return entries.sort((a, b) => {
    const dirs = Number(b.type === 'directory') - Number(a.type === 'directory');
    if (dirs !== 0) return dirs;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}
