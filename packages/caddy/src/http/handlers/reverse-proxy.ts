/** HeaderOps mirrors `headers.HeaderOps`: placeholders such as `{http.request.remote.host}` are allowed. */
export interface HeaderOps {
  add?: Record<string, string[]>;
  set?: Record<string, string[]>;
  delete?: string[];
}

/** ActiveHealthChecks mirrors `reverseproxy.ActiveHealthChecks`; durations are Caddy duration strings. */
export interface ActiveHealthChecks {
  uri: string;
  interval: string;
  timeout: string;
  /** Status class (2 = 2xx) or exact code; Caddy's default accepts only 2xx. */
  expect_status?: number;
}

/** PassiveHealthChecks mirrors `reverseproxy.PassiveHealthChecks`; a zero fail_duration disables them. */
export interface PassiveHealthChecks {
  fail_duration: string;
  max_fails: number;
  unhealthy_status?: number[];
}

/** ReverseProxyHandler mirrors `http.handlers.reverse_proxy` (the subset Berth writes). */
export interface ReverseProxyHandler {
  '@id'?: string;
  handler: 'reverse_proxy';
  /** Fixed upstreams; Berth uses `dynamic_upstreams` (the host record's address) instead. */
  upstreams?: Array<{ dial: string }>;
  /** `http.reverse_proxy.upstreams.<source>`: Berth's module returns the upstream of the request's host record. */
  dynamic_upstreams?: { source: 'berth' };
  headers?: { request?: HeaderOps; response?: HeaderOps };
  health_checks?: { active?: ActiveHealthChecks; passive?: PassiveHealthChecks };
  load_balancing?: { try_duration?: string; try_interval?: string };
  /** How long WebSocket/streaming connections survive a config reload before Caddy closes them. */
  stream_close_delay?: string;
}
