/**
 * MountEntry is one line of `/proc/self/mountinfo`:
 *
 *   105 27 254:0 /srv/berth/tenants /srv/berth/tenants rw,relatime shared:6 - ext4 /dev/vda rw
 *   (id parent major:minor root mount-point options [optional fields…] - fstype source super-options)
 */
export interface MountEntry {
  id: number;
  parentId: number;
  device: string;
  /** The path inside the source filesystem that is mounted (a bind mount's source directory). */
  root: string;
  mountPoint: string;
  /** Propagation: `shared:N`, `master:N`, … (empty: private). */
  optional: string[];
  fstype: string;
  source: string;
}

// The kernel escapes space, tab, newline and backslash in paths as \ooo.
function unescape(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** parseMountinfo reads `/proc/self/mountinfo` text, in mount order (a later entry on the same point is on top). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    if (pre.length < 6 || post.length < 2) continue;
    out.push({
      id: Number(pre[0]),
      parentId: Number(pre[1]),
      device: pre[2]!,
      root: unescape(pre[3]!),
      mountPoint: unescape(pre[4]!),
      optional: pre.slice(6),
      fstype: post[0]!,
      source: unescape(post[1]!),
    });
  }
  return out;
}

/** topMountAt is the mount a path resolves to when it is a mount point (the last one mounted there), if any. */
export function topMountAt(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  const at = entries.filter((e) => e.mountPoint === path);
  // Stacked mounts: the top one is the one whose id no other mount at this point names as its parent.
  return at.find((e) => !at.some((o) => o.parentId === e.id)) ?? at[at.length - 1];
}

/** isShared tells whether mounts made below this one propagate to its peers and slaves. */
export function isShared(entry: MountEntry): boolean {
  return entry.optional.some((o) => o.startsWith('shared:'));
}

/** mountsBelow are the mounts strictly inside `path` (their mount points start with `path/`). */
export function mountsBelow(entries: readonly MountEntry[], path: string): MountEntry[] {
  return entries.filter((e) => e.mountPoint.startsWith(`${path}/`));
}
