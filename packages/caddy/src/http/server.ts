import type { Route } from './route.js';

/** AutomaticHttps mirrors `automatic_https` of an HTTP server. */
export interface AutomaticHttps {
  disable_redirects?: boolean;
}

/** Server mirrors one `apps.http.servers.<name>`. */
export interface Server {
  listen: string[];
  routes: Route[];
  /** `[{}]` turns TLS on for a server that has no host matchers (Berth's certificates come from its modules). */
  tls_connection_policies?: Array<Record<string, never>>;
  automatic_https?: AutomaticHttps;
}

/** HttpApp mirrors `apps.http`. */
export interface HttpApp {
  http_port: number;
  https_port: number;
  servers: Record<string, Server>;
}
