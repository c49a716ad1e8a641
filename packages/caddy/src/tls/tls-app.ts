import type { BerthIssuer } from './issuers.js';

/** AutomationPolicy mirrors one `apps.tls.automation.policies` entry; Berth writes one, for every name. */
export interface AutomationPolicy {
  on_demand: true;
  issuers: BerthIssuer[];
  /** `tls.get_certificate.berth`: a host's uploaded certificate, for that host only. */
  get_certificate: Array<{ via: 'berth' }>;
}

/** TlsApp mirrors `apps.tls`. On-demand issuance asks `tls.permission.berth` (the host table), never the panel. */
export interface TlsApp {
  automation: {
    policies: AutomationPolicy[];
    on_demand: { permission: { module: 'berth' } };
  };
}
