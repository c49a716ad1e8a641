import type { TRuntimeKind, TSiteSettings, TSiteStatus, TTlsMode, TWebserverKind } from '@berth/contracts';

/**
 * DesiredTenant is one tenant as the database wants it, in the shape the reconciler needs: plain data,
 * already validated by the API. `null` where a tenant is loaded means it no longer exists (terminated).
 */
export interface DesiredTenant {
  id: string;
  slug: string;
  uid: number;
  status: 'active' | 'suspended';
  webserver: TWebserverKind;
  varnishEnabled: boolean;
  ports: { web: number; cache: number };
  plan: {
    cpuMillicores: number;
    memoryMb: number;
    pidsLimit: number;
    phpMaxMemoryMb: number;
    phpMaxUploadMb: number;
    phpMaxExecSeconds: number;
    /** The tenant's disk in MB, enforced by its own filesystem; absent (tests): sites stay a plain directory. */
    diskMb?: number;
    /** Destinations (`CIDR` or `CIDR:port`) the default egress rules deny but the plan allows; absent: none. */
    egressAllow?: readonly string[];
  };
  sites: DesiredSite[];
}

export interface DesiredSite {
  id: string;
  name: string;
  kind: TRuntimeKind;
  version: string;
  status: TSiteStatus;
  settings: TSiteSettings;
  domains: DesiredDomain[];
}

export interface DesiredDomain {
  id: string;
  hostname: string;
  kind: 'primary' | 'alias' | 'redirect';
  redirectTo: string | null;
  redirectCode: number | null;
  tls: TTlsMode;
  wwwRedirect: 'none' | 'www-to-apex' | 'apex-to-www';
  /** Ownership is proven (or was not required when it was added): only then does the edge serve the name. */
  verified: boolean;
  /** For tls `custom`: the uploaded chain and the decrypted key, written to Caddy's certs dir at push time. */
  customCertificate?: { chainPem: string; keyPem: string };
}

/** ObservedTenant is what exists for one tenant in Docker (by labels). */
export interface ObservedTenant {
  containers: { component: string; running: boolean; siteId?: string | undefined }[];
  networks: number;
}
