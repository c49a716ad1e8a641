import { isAbsolute, normalize } from 'node:path';
import { RuntimeError } from '../errors.js';

// What a tenant's disk is made and mounted with, pure (tested without a kernel). The effects are in
// operations/tenant-disk.ts.

const MiB = 1024 * 1024;

/** MIN_DISK_BYTES is the smallest tenant filesystem (ext4 with its journal needs a few MiB of its own). */
export const MIN_DISK_BYTES = 16 * MiB;

/**
 * MOUNT_OPTIONS are the tenant filesystem's: no device files and no set-uid programs take effect in it (it is
 * the tenant's to fill), and freed blocks are given back to the host (`discard` punches holes in the sparse
 * image, so the image never takes more of the host disk than the tenant's files do).
 */
export const MOUNT_OPTIONS = 'loop,nodev,nosuid,discard';

/** diskImageBytes is the image size for a plan's disk limit: whole MiB, at least MIN_DISK_BYTES. */
export function diskImageBytes(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_DISK_BYTES) {
    throw new RuntimeError(
      'INVALID_INPUT',
      `A tenant disk needs at least ${MIN_DISK_BYTES / MiB} MiB; got ${JSON.stringify(bytes)} bytes.`,
    );
  }
  return Math.ceil(bytes / MiB) * MiB;
}

/**
 * migrationBytes sizes the disk of a tenant whose sites/ already holds `usedBytes` (an installation from
 * before disks): the plan's size, or enough for what is there with room for ext4's own blocks, whichever
 * is larger. A disk is never made smaller than what it must hold.
 */
export function migrationBytes(planBytes: number, usedBytes: number): number {
  return Math.max(diskImageBytes(planBytes), diskImageBytes(Math.ceil(usedBytes * 1.25) + 32 * MiB));
}

/** assertHostPath accepts an absolute, normalized path without control characters (it is passed to mount & co). */
export function assertHostPath(path: string): string {
  if (
    typeof path !== 'string' ||
    !isAbsolute(path) ||
    normalize(path) !== path ||
    path.length > 1024 ||
    [...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ||
    (path !== '/' && path.endsWith('/'))
  ) {
    throw new RuntimeError('INVALID_INPUT', `Not a usable absolute path: ${JSON.stringify(path)}.`);
  }
  return path;
}

/** assertLoopDevice accepts `/dev/loopN` only (what mount reports as a loop-mounted filesystem's source). */
export function assertLoopDevice(device: string): string {
  if (!/^\/dev\/loop\d{1,4}$/.test(device))
    throw new RuntimeError('LIMITS_FAILED', `Expected a loop device, found ${JSON.stringify(device)}.`);
  return device;
}

/**
 * mkfsCommand makes an ext4 filesystem in `image` (its size is the file's): quiet, no blocks reserved for
 * root (the tenant gets all of it), no discard pass over a fresh sparse file, and, for a tenant that had
 * files before disks existed, populated from `populateFrom` (owners, modes, links and times kept).
 */
export function mkfsCommand(image: string, populateFrom?: string): { options: string[]; operands: string[] } {
  return {
    options: ['-q', '-F', '-m', '0', '-E', 'nodiscard', ...(populateFrom ? ['-d', assertHostPath(populateFrom)] : [])],
    operands: [assertHostPath(image)],
  };
}

/** mountCommand loop-mounts `image` on `dir` (a loop device with autoclear: unmounting frees it). */
export function mountCommand(image: string, dir: string): { options: string[]; operands: string[] } {
  return { options: ['-t', 'ext4', '-o', MOUNT_OPTIONS], operands: [assertHostPath(image), assertHostPath(dir)] };
}
