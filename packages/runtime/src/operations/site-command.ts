import { posix } from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { assertPositiveInt, assertSlug, assertUid } from '../inputs.guard.js';
import { LABELS } from '../labels.js';
import { SITES_MOUNT } from '../naming.js';
import { callDocker, engineMessage } from '../docker/docker.driver.js';
import { listComponentContainers } from '../docker/container.ops.js';
import type { DockerDriver } from '../runtime.types.js';

/** SITE_COMMAND_MAX_LENGTH is the longest command accepted (a cron line, not a script). */
export const SITE_COMMAND_MAX_LENGTH = 4096;
/** SITE_COMMAND_KILL_AFTER_MS is how long a command may take to exit after SIGTERM at its timeout before SIGKILL. */
export const SITE_COMMAND_KILL_AFTER_MS = 5_000;
/** SITE_COMMAND_TIMEOUT_RANGE_MS bounds `timeoutMs` (one second to one day). */
export const SITE_COMMAND_TIMEOUT_RANGE_MS = { min: 1_000, max: 86_400_000 } as const;
/** SITE_COMMAND_MAX_OUTPUT_BYTES bounds `maxOutputBytes`: the tail of the output kept in the panel's memory. */
export const SITE_COMMAND_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** SiteCommandParams says what to run, where and as whom; every field is checked again here. */
export interface SiteCommandParams {
  tenantId: string;
  /** The `berth.component` of the container to run in: `php-8.2` (phpComponent), `app-<site>` (appComponent). */
  component: string;
  /** The tenant's uid/gid; never root. */
  uid: number;
  gid: number;
  /** Absolute, normalised directory inside the container, under SITES_MOUNT (e.g. `/srv/sites/blog`). */
  cwd: string;
  /** A shell command line (`sh -c`), as a customer types it into a crontab. */
  command: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Extra environment on top of the container's own; names are upper case (`^[A-Z_][A-Z0-9_]*$`). */
  env?: Record<string, string>;
}

/** SiteCommandResult is what a run did, for the job's history. */
export interface SiteCommandResult {
  /** The command's exit code; 124 (SIGTERM) or 137 (SIGKILL) when it was stopped at its timeout; null if unknown. */
  exitCode: number | null;
  /** stdout and stderr interleaved as they came, the LAST maxOutputBytes bytes at most, as valid UTF-8. */
  output: string;
  /** Earlier output was dropped to stay within maxOutputBytes. */
  truncated: boolean;
  /** The command was stopped because it ran past timeoutMs. */
  timedOut: boolean;
  durationMs: number;
  startedAt: Date;
}

/** COMMAND_ROLES are the `berth.role`s whose containers have the site's files and language runtime. */
const COMMAND_ROLES: readonly string[] = ['php-fpm', 'app'];
const COMPONENT_RE = /^[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?$/;
const ENV_NAME_RE = /^[A-Z_][A-Z0-9_]*$/;
const ENV_MAX_BYTES = 32 * 1024;
/** How long after the run should have ended the panel stops waiting for the engine's stream. */
const STREAM_GRACE_MS = 10_000;

/**
 * JOB_SCRIPT runs the command as `sh -c` under coreutils `timeout` (present in every PHP-FPM, Node and Python
 * image), which puts itself and everything the command starts in a new process group: SIGTERM to the group at
 * the timeout, SIGKILL SITE_COMMAND_KILL_AFTER_MS later. When the command ends, in time or not, the rest of its
 * group is killed too, so a backgrounded child (`worker &`) never outlives its job or holds the output stream
 * open. Only a process that deliberately leaves the group (`setsid`) escapes; the container's limits still
 * bound it. Arguments: $1 the timeout (`30s`), $2 the command, $3 the directory. Absolute paths, so a PATH in
 * the job's env cannot change what runs here.
 */
const JOB_SCRIPT = [
  'cd -- "$3" 2>/dev/null || { echo "berth: cannot enter $3: the directory does not exist in this container." >&2; exit 126; }',
  `/usr/bin/timeout --kill-after=${SITE_COMMAND_KILL_AFTER_MS / 1000}s "$1" /bin/sh -c "$2" </dev/null &`,
  'job=$!',
  'wait "$job"',
  'code=$?',
  'kill -s KILL -- "-$job" 2>/dev/null',
  'exit "$code"',
].join('\n');

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new RuntimeError('INVALID_INPUT', message, { details });
}

/** assertSiteCwd accepts an absolute, normalised path strictly under SITES_MOUNT (`/srv/sites/<site>/…`). */
function assertSiteCwd(cwd: string): string {
  const ok =
    typeof cwd === 'string' &&
    cwd.length <= 1024 &&
    !/\p{Cc}/u.test(cwd) &&
    posix.isAbsolute(cwd) &&
    posix.normalize(cwd) === cwd &&
    cwd.startsWith(`${SITES_MOUNT}/`) &&
    cwd.length > SITES_MOUNT.length + 1;
  if (!ok)
    invalid(`The working directory must be a normalised path under ${SITES_MOUNT}/, got ${JSON.stringify(cwd)}.`);
  return cwd;
}

function assertCommand(command: string): string {
  if (typeof command !== 'string' || command.trim() === '') invalid('The command is empty; enter a command to run.');
  if (command.includes('\0')) invalid('The command contains a NUL character, which a shell cannot run.');
  if (command.length > SITE_COMMAND_MAX_LENGTH)
    invalid(`The command is longer than ${SITE_COMMAND_MAX_LENGTH} characters; put it in a script in the site.`);
  return command;
}

function envList(env: Record<string, string> | undefined): string[] {
  const list = Object.entries(env ?? {}).map(([name, value]) => {
    if (!ENV_NAME_RE.test(name))
      invalid(`Environment variable name ${JSON.stringify(name)} must be upper-case letters, digits and _.`);
    if (typeof value !== 'string' || value.includes('\0'))
      invalid(`Environment variable ${name} must be text without NUL characters.`);
    return `${name}=${value}`;
  });
  if (list.reduce((n, e) => n + e.length, 0) > ENV_MAX_BYTES)
    invalid(`The environment variables are larger than ${ENV_MAX_BYTES / 1024} KiB together.`);
  return list.sort();
}

/**
 * OutputTail keeps only the last `max` bytes of a stream: chunks are dropped from the front as new ones come,
 * so a job printing a gigabyte costs the panel `max` plus one chunk of memory.
 */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private seen = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.seen += chunk.length;
    if (chunk.length >= this.max) {
      // Copy: a slice would keep the whole (large) chunk alive.
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.max))];
      this.size = this.max;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.max) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  /** text is the kept tail as UTF-8: a character cut at the front is dropped whole, invalid bytes become U+FFFD. */
  text(): { output: string; truncated: boolean } {
    const all = Buffer.concat(this.chunks);
    let truncated = this.seen > this.max;
    let output = decodeTail(all, this.max, truncated);
    // Invalid bytes decode to U+FFFD (3 bytes each), which can push the text past the limit.
    if (Buffer.byteLength(output) > this.max) {
      output = decodeTail(Buffer.from(output, 'utf8'), this.max, true);
      truncated = true;
    }
    return { output, truncated };
  }
}

function decodeTail(bytes: Buffer, max: number, cut: boolean): string {
  let start = Math.max(0, bytes.length - max);
  // Skip UTF-8 continuation bytes (10xxxxxx) of a character whose first byte was dropped.
  if (cut) for (let i = 0; i < 3 && ((bytes[start] ?? 0) & 0xc0) === 0x80; i++) start++;
  return bytes.subarray(start).toString('utf8');
}

/**
 * findCommandContainer is the tenant's running container of `component`, found by its labels; it must be a
 * PHP-FPM or app container that already runs as `uid:gid`.
 */
async function findCommandContainer(
  ctx: DockerDriver,
  args: { tenantId: string; component: string; uid: number; gid: number },
): Promise<Docker.Container> {
  const { tenantId, component, uid, gid } = args;
  const candidates = await listComponentContainers(ctx, tenantId, component);
  const running = candidates.find((c) => c.State === 'running');
  if (!running) {
    throw new RuntimeError(
      'CONTAINER_FAILED',
      `The site's ${component} container is not running, so the command was not run; start the site and try again.`,
      { details: { reason: 'not-running', tenantId, component, states: candidates.map((c) => c.State) } },
    );
  }
  const role = running.Labels[LABELS.role] ?? '';
  if (!COMMAND_ROLES.includes(role))
    invalid(`Commands run in a site's PHP-FPM or app container; ${component} is a ${role || 'unknown'} container.`);
  const container = ctx.docker.getContainer(running.Id);
  // The container already runs as the tenant (ensurePhpFpm, ensureAppContainer): a uid that differs is a
  // caller's mix-up, and running as it could reach files the site's own processes cannot.
  const info = await callDocker('container inspect', () => container.inspect());
  if (info.Config.User !== `${uid}:${gid}`) {
    invalid(`The command's user ${uid}:${gid} is not the user the ${component} container runs as.`, {
      containerUser: info.Config.User,
    });
  }
  return container;
}

/**
 * runSiteCommand runs a customer's command (a cron job) in the running container of one of their sites, as the
 * tenant's uid:gid, in the site's directory, and waits for it: output is read from the exec stream with only
 * its tail kept, the exit code comes from the engine. At `timeoutMs` the command's whole process group gets
 * SIGTERM, then SIGKILL SITE_COMMAND_KILL_AFTER_MS later (JOB_SCRIPT); anything it left running in the
 * background is killed when it ends. The container is found by its labels for that tenant, so a caller can
 * never point a command at another tenant's container; it must be a PHP-FPM or app container already running
 * as `uid:gid` (INVALID_INPUT otherwise), and a stopped or missing one is CONTAINER_FAILED with
 * `details.reason` `not-running`. A command that runs and fails is a result (its exit code), not an error.
 */
export async function runSiteCommand(ctx: DockerDriver, params: SiteCommandParams): Promise<SiteCommandResult> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  if (typeof params.component !== 'string' || !COMPONENT_RE.test(params.component))
    invalid(`Invalid component ${JSON.stringify(params.component)}.`);
  const uid = assertUid(params.uid);
  const gid = assertUid(params.gid, 'gid');
  const cwd = assertSiteCwd(params.cwd);
  const command = assertCommand(params.command);
  const timeoutMs = assertPositiveInt(params.timeoutMs, 'timeout (ms)', SITE_COMMAND_TIMEOUT_RANGE_MS.min);
  if (timeoutMs > SITE_COMMAND_TIMEOUT_RANGE_MS.max)
    invalid(`The timeout is at most ${SITE_COMMAND_TIMEOUT_RANGE_MS.max / 3_600_000} hours.`);
  const maxOutputBytes = assertPositiveInt(params.maxOutputBytes, 'output limit (bytes)');
  if (maxOutputBytes > SITE_COMMAND_MAX_OUTPUT_BYTES)
    invalid(`The output limit is at most ${SITE_COMMAND_MAX_OUTPUT_BYTES} bytes.`);
  const env = envList(params.env);

  const container = await findCommandContainer(ctx, { tenantId, component: params.component, uid, gid });
  const exec = await callDocker('exec create', () =>
    container.exec({
      Cmd: ['/bin/sh', '-c', JOB_SCRIPT, 'berth-job', `${timeoutMs / 1000}s`, command, cwd],
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: `${uid}:${gid}`,
      Env: env,
    }),
  );
  const tail = new OutputTail(maxOutputBytes);
  // One sink for both streams keeps stdout and stderr in the order the engine sent them.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      tail.push(chunk);
      callback();
    },
  });
  const startedAt = new Date();
  const t0 = performance.now();
  const stream = await callDocker('exec start', () => exec.start({ hijack: true, stdin: false }));
  ctx.docker.modem.demuxStream(stream, sink, sink);

  // The engine ends the stream when the job script exits (at most ~2 s later if an escaped process keeps the
  // pipe open); the panel's own deadline only guards against an engine that never does.
  const abandoned = await new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        stream.destroy();
        resolve(true);
      },
      timeoutMs + SITE_COMMAND_KILL_AFTER_MS + STREAM_GRACE_MS,
    );
    const done = () => {
      clearTimeout(timer);
      resolve(false);
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(
        new RuntimeError('DOCKER_ERROR', `Reading the command's output failed: ${engineMessage(err)}`, { cause: err }),
      );
    });
  });
  const durationMs = Math.round(performance.now() - t0);

  // The stream can end a moment before the engine records the exit code.
  let exitCode: number | null = null;
  for (let i = 0; i < 40; i++) {
    const state = await callDocker('exec inspect', () => exec.inspect());
    if (!state.Running) {
      exitCode = state.ExitCode ?? null;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const timedOut = abandoned || ((exitCode === 124 || exitCode === 137) && durationMs >= timeoutMs);
  const { output, truncated } = tail.text();
  if (abandoned) {
    ctx.logger?.warn(
      { tenantId, component: params.component, durationMs },
      'runtime: site command stream did not end after its timeout; stopped waiting',
    );
  }
  ctx.logger?.debug(
    { tenantId, component: params.component, exitCode, timedOut, truncated, durationMs },
    'runtime: site command finished',
  );
  return { exitCode, output, truncated, timedOut, durationMs, startedAt };
}
