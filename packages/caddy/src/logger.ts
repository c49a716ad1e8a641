/**
 * CaddyLogger is the slice of pino's API this package uses (`logger.warn({ err }, 'message')`), so the API
 * server can pass its pino instance or a child (`{ op: 'caddy' }`) and tests can pass nothing.
 */
export interface CaddyLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** silentLogger drops everything; it is the default when no logger is given. */
export const silentLogger: CaddyLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
