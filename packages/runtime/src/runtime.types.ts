import type Docker from 'dockerode';
import type { TNumberRange, TPhpVersion, TWebserverKind } from './contracts.js';

/** Logger is the pino-compatible subset the runtime logs through (Fastify's `log` or a child of it fits). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** ImageProfile picks Berth's offline images (`local`, built by docker/build.sh) or the upstream ones. */
export type ImageProfile = 'local' | 'official';

/**
 * DockerDriver is the context every runtime operation receives: the engine client, the image profile and the
 * data dir under which tenants' files and generated configs live (`<dataDir>/tenants/<tenant>/…`).
 */
export interface DockerDriver {
  docker: Docker;
  /** This panel installation's id: the value of `berth.managed` on everything it creates and the only one it touches. */
  instance: string;
  profile: ImageProfile;
  dataDir: string;
  logger?: Logger;
}

/** ResourceLimits are a container's plan limits; the engine enforces them (cgroups). */
export interface ResourceLimits {
  /** CPU in billionths of a CPU (1e9 = one core). */
  nanoCpus: number;
  /** Memory limit in bytes; swap is not granted on top. */
  memoryBytes: number;
  /** Maximum number of processes/threads in the container. */
  pids: number;
}

/** TenantIdentity is who a tenant's processes run as and which files are theirs. */
export interface TenantIdentity {
  /** Tenant slug: lowercase RFC 1123 label, also used in container and network names. */
  tenantId: string;
  /** Unix uid/gid owning `<dataDir>/tenants/<tenant>/sites` and running PHP-FPM, Node and Python. */
  uid: number;
  gid: number;
}

/** PhpSettings are the per-site values a tenant may change; they are clamped to PhpBounds. */
export interface PhpSettings {
  memoryLimitMb: number;
  uploadMaxMb: number;
  postMaxMb: number;
  maxExecutionSeconds: number;
  displayErrors: boolean;
}

/** NumberRange is an inclusive [min, max] bound from the plan (the contracts' PHP setting ranges). */
export type NumberRange = TNumberRange;

/** PhpBounds are the plan's limits on PhpSettings and on each site's worker count. */
export interface PhpBounds {
  memoryLimitMb: NumberRange;
  uploadMaxMb: NumberRange;
  postMaxMb: NumberRange;
  maxExecutionSeconds: NumberRange;
  maxChildren: number;
}

interface SiteBase {
  /** Site slug (RFC 1123 label), unique within the tenant. */
  siteId: string;
  /** Hostnames (lowercase RFC 1123) the webserver answers for this site. */
  hostnames: string[];
}

/** PhpSite is served from files through the tenant's PHP-FPM container for `version`. */
export interface PhpSite extends SiteBase {
  kind: 'php';
  version: TPhpVersion;
  /** Document root relative to the site's directory (`''` or e.g. `public`). */
  documentRoot: string;
  php: PhpSettings;
}

/** StaticSite is served from files by the webserver alone. */
export interface StaticSite extends SiteBase {
  kind: 'static';
  documentRoot: string;
}

/** AppSite runs a Node.js or Python process in its own container, proxied by the webserver. */
export interface AppSite extends SiteBase {
  kind: 'node' | 'python';
  version: string;
  /** Command run in the site's directory (no shell), e.g. `['node', 'server.js']`. */
  command: string[];
  /** Port the app listens on inside its container (also passed as PORT). */
  port: number;
  env?: Record<string, string>;
}

/** SiteSpec is one site of a tenant as the runtime needs it. */
export type SiteSpec = PhpSite | StaticSite | AppSite;

/** WebserverSpec is the tenant's webserver: its kind and the host port it publishes on 127.0.0.1. */
export interface WebserverSpec {
  kind: TWebserverKind;
  port: number;
  limits: ResourceLimits;
}

/** VarnishSpec enables the tenant's cache on a host port of its own (published on 127.0.0.1). */
export interface VarnishSpec {
  port: number;
  limits: ResourceLimits;
  /** Cache size in MiB (malloc storage); keep it below the memory limit. */
  cacheSizeMb: number;
}

/** Published reports a container's published host port. */
export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** ObservedContainer is a Berth-labelled container as the engine reports it. */
export interface ObservedContainer {
  id: string;
  name: string;
  tenantId: string;
  siteId: string | undefined;
  role: string;
  component: string;
  spec: string;
  image: string;
  state: string;
  running: boolean;
  ports: PublishedPort[];
}

/** ObservedNetwork is a Berth-labelled network. */
export interface ObservedNetwork {
  id: string;
  name: string;
  tenantId: string;
  gateway: string | undefined;
  subnet: string | undefined;
  /** The bridge's Linux interface (`bt-…`, or `br-<id>` for networks made before Berth named them): what egress rules match. */
  bridge: string;
}

/** ObservedVolume is a Berth-labelled volume. */
export interface ObservedVolume {
  name: string;
  tenantId: string;
}

/** ObservedState is what exists in the engine with Berth's labels (optionally for one tenant). */
export interface ObservedState {
  containers: ObservedContainer[];
  networks: ObservedNetwork[];
  volumes: ObservedVolume[];
}

export type { TPhpVersion, TWebserverKind };
