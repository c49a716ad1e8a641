import type { Route } from './route.js';

/** AutomaticHttps mirrors `caddyhttp.AutoHTTPSConfig` (the switches Berth uses). */
export interface AutomaticHttps {
  /** Berth writes its own 308 redirects, so Caddy's implicit ones are off. */
  disable_redirects?: boolean;
  /** Hosts whose certificates Caddy must not manage (uploaded certificates). */
  skip_certificates?: string[];
}

/** ServerLogs mirrors `caddyhttp.ServerLogConfig`: host → logger name (`http.log.access.<name>`). */
export interface ServerLogs {
  logger_names?: Record<string, string>;
  /** Unmapped hosts (unknown names, domains without a log file) are not access-logged at all. */
  skip_unmapped_hosts?: boolean;
}

/** Server mirrors `caddyhttp.Server`. */
export interface Server {
  '@id'?: string;
  listen: string[];
  routes: Route[];
  automatic_https?: AutomaticHttps;
  logs?: ServerLogs;
}

/** HttpApp mirrors the `http` app. */
export interface HttpApp {
  http_port: number;
  https_port: number;
  metrics?: { per_host?: boolean };
  servers: Record<string, Server>;
}
