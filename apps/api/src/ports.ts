import type { ReconcilerHealth } from '@berth/reconciler';

/** HealthPort checks the outside systems the control plane depends on. */
export interface HealthPort {
  docker(): Promise<{ ok: boolean; message?: string }>;
  caddy(): Promise<{ ok: boolean; message?: string }>;
  /** The reconciler's own state: tenants whose passes fail, and the oldest of them. */
  reconciler(): ReconcilerHealth;
}

/**
 * CachePort purges a tenant's Varnish: one URL, or everything of a host. It fails with a CachePortError
 * when it cannot; any other error is a bug.
 */
export interface CachePort {
  purgeUrl(tenantId: string, url: string): Promise<void>;
  banHost(tenantId: string, host: string): Promise<void>;
}

/**
 * CachePortError is how a CachePort says why it could not purge: `not-running` (the tenant's Varnish is not
 * running or does not answer: still starting, stopped or failed) or `unavailable` (Docker does not answer,
 * or Varnish refused). The service turns it into the API's error code.
 */
export class CachePortError extends Error {
  constructor(
    readonly reason: 'not-running' | 'unavailable',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'CachePortError';
  }
}

/**
 * PortSlot holds one port that only the control plane can provide, and it starts after the server listens
 * (Caddy asks the panel's on-demand TLS endpoint as soon as it has routes). Services receive the slot when
 * they are created and read it on every call: until the control plane binds it, and in processes without a
 * control plane (tests, the CLI), `current` is null and the service answers that the control plane is not running.
 */
export class PortSlot<T> {
  #port: T | null = null;

  /** bind is called once, by the control plane, when the port works. */
  bind(port: T): void {
    this.#port = port;
  }

  get current(): T | null {
    return this.#port;
  }
}

/** ControlPorts are the ports the API uses from the control plane: created before the server, bound by startControlPlane. */
export interface ControlPorts {
  health: PortSlot<HealthPort>;
  cache: PortSlot<CachePort>;
}

/** createControlPorts makes the empty slots the composition root (main.ts, buildApp) hands to services and to the control plane. */
export function createControlPorts(): ControlPorts {
  return { health: new PortSlot<HealthPort>(), cache: new PortSlot<CachePort>() };
}
