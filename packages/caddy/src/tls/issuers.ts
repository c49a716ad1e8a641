/** InternalIssuer mirrors `tls.issuance.internal` (Caddy's local CA). */
export interface InternalIssuer {
  module?: 'internal';
}

/** AcmeIssuer mirrors `tls.issuance.acme`. */
export interface AcmeIssuer {
  module?: 'acme';
  ca: string;
  email?: string;
  trusted_roots_pem_files?: string[];
  external_account?: { key_id: string; mac_key: string };
}

/** BerthIssuer mirrors `tls.issuance.berth`: the internal CA or ACME, picked by the host's record. */
export interface BerthIssuer {
  module: 'berth';
  internal: InternalIssuer;
  acme: AcmeIssuer;
}
