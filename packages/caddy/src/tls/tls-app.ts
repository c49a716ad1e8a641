import type { Issuer } from './issuers.js';

/** AutomationPolicy mirrors `caddytls.AutomationPolicy`: which issuer manages which subjects. */
export interface AutomationPolicy {
  '@id'?: string;
  subjects: string[];
  issuers: Issuer[];
  /** Obtain at the first TLS handshake (gated by `automation.on_demand.permission`) instead of at load. */
  on_demand?: boolean;
}

/** OnDemandPermission mirrors `tls.permission.http`: Caddy asks `<endpoint>?domain=<name>`; 200 allows. */
export interface OnDemandPermission {
  module: 'http';
  endpoint: string;
}

/** LoadedCertificateFile mirrors one `tls.certificates.load_files` entry. */
export interface LoadedCertificateFile {
  certificate: string;
  key: string;
  tags?: string[];
}

/** TlsApp mirrors the `tls` app. */
export interface TlsApp {
  certificates?: { load_files?: LoadedCertificateFile[] };
  automation?: {
    policies?: AutomationPolicy[];
    on_demand?: { permission: OnDemandPermission };
  };
}
