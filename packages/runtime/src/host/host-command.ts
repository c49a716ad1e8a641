import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RuntimeError } from '../errors.js';

const run = promisify(execFile);

/**
 * HOST_COMMANDS are the only host tools the runtime runs, for kernel features that have no API it could call
 * instead: loop-mounted tenant filesystems (mount, umount, mkfs.ext4, resize2fs, losetup, chattr) and the
 * systemd driver's slices (systemctl), plus e2fsck before an offline resize. No shell is involved: each is execFile'd with its arguments as given.
 */
export type HostCommand =
  'mount' | 'umount' | 'mkfs.ext4' | 'e2fsck' | 'resize2fs' | 'losetup' | 'chattr' | 'systemctl';

// The sbin directories are not on every service's PATH.
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * assertHostArg accepts one argument for a host command: printable text without NUL or newlines, and no
 * leading `-` unless `option` (every positional argument is a validated absolute path, a size or a device).
 */
export function assertHostArg(value: string, option = false): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 4096 ||
    /[\0\n\r]/.test(value) ||
    (!option && value.startsWith('-'))
  ) {
    throw new RuntimeError('INVALID_INPUT', `Refusing the host command argument ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * runHostCommand runs `cmd options… -- operands…` (operands after `--`, so none is ever read as an option) and
 * turns a failure into LIMITS_FAILED with the tool's own words. `okExitCodes` are exit codes that are not
 * failures (e2fsck says 1 when it fixed something).
 */
export async function runHostCommand(
  cmd: HostCommand,
  options: string[],
  operands: string[],
  opts: { timeoutMs?: number; okExitCodes?: number[] } = {},
): Promise<{ stdout: string; stderr: string }> {
  const args = [...options.map((o) => assertHostArg(o, true)), '--', ...operands.map((o) => assertHostArg(o))];
  try {
    return await run(cmd, args, { timeout: opts.timeoutMs ?? 120_000, env: { ...process.env, PATH, LC_ALL: 'C' } });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; code?: string | number; message?: string };
    if (typeof e.code === 'number' && opts.okExitCodes?.includes(e.code))
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    const said = (e.stderr ?? '').trim() || e.message || String(err);
    const hint =
      e.code === 'ENOENT'
        ? ` (${cmd} is not installed: apt-get install ${cmd === 'systemctl' ? 'systemd' : cmd === 'mount' || cmd === 'umount' || cmd === 'losetup' ? 'mount' : 'e2fsprogs'})`
        : '';
    throw new RuntimeError('LIMITS_FAILED', `${cmd} ${args.join(' ')} failed${hint}: ${said}`, {
      cause: err,
      details: { cmd, args, stderr: e.stderr ?? '' },
    });
  }
}
