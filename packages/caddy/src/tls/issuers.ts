/** InternalIssuer mirrors `tls.issuance.internal`: certificates from Caddy's local CA (`pki.certificate_authorities.local`). */
export interface InternalIssuer {
  module: 'internal';
}

/** AcmeIssuer mirrors `tls.issuance.acme` (the subset Berth writes). */
export interface AcmeIssuer {
  module: 'acme';
  /** ACME directory URL. */
  ca: string;
  email?: string;
  /** PEM files trusted for the ACME server's own TLS (tests: Pebble's CA). */
  trusted_roots_pem_files?: string[];
  external_account?: { key_id: string; mac_key: string };
}

export type Issuer = InternalIssuer | AcmeIssuer;
