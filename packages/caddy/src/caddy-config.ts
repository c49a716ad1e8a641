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

/** CaddyConfig is the whole JSON document Berth loads into Caddy with `POST /config/`. */
export interface CaddyConfig {
  admin?: AdminConfig;
  storage?: StorageConfig;
  logging?: { logs: Record<string, CustomLog> };
  apps: {
    http: HttpApp;
    tls: TlsApp;
    pki: { certificate_authorities: { local: { install_trust: false } } };
  };
}
