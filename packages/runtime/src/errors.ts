/**
 * RUNTIME_ERROR_CODES lists every failure the runtime reports, each with the situation it is thrown in.
 * The reconciler shows `message` to the user as is, so every message says what to do next.
 */
export const RUNTIME_ERROR_CODES = {
  /** The image for a role/version is not present in the engine (profile `local`: not built yet). */
  IMAGE_MISSING: 'IMAGE_MISSING',
  /** The Docker engine socket does not answer (dockerd stopped, wrong socket path, no permission). */
  DOCKER_UNAVAILABLE: 'DOCKER_UNAVAILABLE',
  /** A host port requested for publishing is already bound by another process or container. */
  PORT_IN_USE: 'PORT_IN_USE',
  /** A container was created but exited (or never ran) right after start; `details.logs` has its last lines. */
  CONTAINER_FAILED: 'CONTAINER_FAILED',
  /** A generated config was rejected by its server's own check (`nginx -t`, `php-fpm -t`, `vcl.load`). */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** An input did not pass the generator's own assertions (hostname, slug, path, port, version…). */
  INVALID_INPUT: 'INVALID_INPUT',
  /** A cache operation was asked for a tenant without a running Varnish, or Varnish refused it. */
  CACHE_UNAVAILABLE: 'CACHE_UNAVAILABLE',
  /**
   * The host firewall rules for tenant egress could not be read or applied (iptables missing, not root, Docker's
   * DOCKER-USER chain absent); `details.stderr` has iptables' own answer.
   */
  EGRESS_FAILED: 'EGRESS_FAILED',
  /**
   * A tenant's own cgroup (its plan's CPU, memory and process totals) or its disk (the loop-mounted filesystem
   * that holds its sites) could not be set up, changed or removed; `details` names the file or command and
   * the kernel's or the tool's answer.
   */
  LIMITS_FAILED: 'LIMITS_FAILED',
  /** Any other Docker engine error; `cause` holds the engine's answer. */
  DOCKER_ERROR: 'DOCKER_ERROR',
} as const;

export type TRuntimeErrorCode = keyof typeof RUNTIME_ERROR_CODES;

/**
 * RuntimeError is the only error type the runtime throws on purpose; callers switch on `code` and show
 * `message` (which always tells the user what to do) while `cause` keeps the engine's original error.
 */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  readonly code: TRuntimeErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: TRuntimeErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** isRuntimeError narrows unknown errors (optionally to one code) without `instanceof` across realms. */
export function isRuntimeError(err: unknown, code?: TRuntimeErrorCode): err is RuntimeError {
  return err instanceof RuntimeError && (code === undefined || err.code === code);
}
