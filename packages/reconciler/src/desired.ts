import type {
  TDomainKind,
  TSiteRuntime,
  TSiteSettings,
  TSiteStatus,
  TTenantStatus,
  TTlsMode,
  TWebserverKind,
  TWwwRedirect,
} from '@berth/contracts';

/**
 * DesiredTenant is one tenant as the database wants it, in the shape the reconciler needs: plain data,
 * already validated by the API. `null` where a tenant is loaded means it no longer exists (terminated).
 */
export interface DesiredTenant {
  id: string;
  slug: string;
  uid: number;
  status: TTenantStatus;
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

/** DesiredSite is one site: its runtime as the contracts parse it (a PHP site's version is a TPhpVersion), status, settings and domains. */
export type DesiredSite = TSiteRuntime & {
  id: string;
  name: string;
  status: TSiteStatus;
  settings: TSiteSettings;
  domains: DesiredDomain[];
};

export interface DesiredDomain {
  id: string;
  hostname: string;
  kind: TDomainKind;
  redirectTo: string | null;
  redirectCode: number | null;
  tls: TTlsMode;
  wwwRedirect: TWwwRedirect;
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
