import type { HttpApp } from './http/server.js';
import type { TlsApp } from './tls/tls-app.js';

/** AdminConfig mirrors the top-level `admin` block; the caller owns it (it must match Caddy's bootstrap). */
export interface AdminConfig {
  /** e.g. `unix//run/berth/caddy/admin.sock` (preferred) or `127.0.0.1:2019`. */
  listen?: string;
  disabled?: boolean;
  enforce_origin?: boolean;
  origins?: string[];
  config?: { persist?: boolean };
}

/** StorageConfig mirrors `caddy.storage.file_system`: where certificates and the local CA live. */
export interface StorageConfig {
  module: 'file_system';
  root: string;
}

/** LogWriter mirrors `caddy.logging.writers.file` / `stderr`. */
export type LogWriter =
  | { output: 'file'; filename: string; roll_size_mb?: number; roll_keep?: number; roll_keep_days?: number }
  | { output: 'stderr' }
  | { output: 'stdout' };

/** CustomLog mirrors `caddy.CustomLog`. */
export interface CustomLog {
  writer?: LogWriter;
  encoder?: { format: 'json' | 'console' };
  level?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  include?: string[];
  exclude?: string[];
}

/**
 * BerthApp mirrors `apps.berth`, the configuration of Berth's host table: where its snapshot lives, the
 * directory every static root must be inside, where per-host access logs go, the public ports (for
 * redirects) and the pages it answers itself.
 */
export interface BerthApp {
  snapshot: string;
  static_base: string;
  logs_dir: string;
  log_roll_size_mb?: number;
  log_roll_keep?: number;
  http_port: number;
  https_port: number;
  suspended_page: string;
  not_found_body: string;
}

/**
 * CaddyConfig is the whole JSON document Berth loads into Caddy: the fixed skeleton. Hosts are not part
 * of it (they live in the host table), so it changes only when the installation's settings do.
 */
export interface CaddyConfig {
  admin?: AdminConfig;
  storage?: StorageConfig;
  logging?: { logs: Record<string, CustomLog> };
  apps: {
    berth: BerthApp;
    http: HttpApp;
    tls: TlsApp;
    pki: { certificate_authorities: { local: { install_trust: false } } };
  };
}
