import { DATABASE_ENGINES, type TDatabaseEngine } from '@berth/contracts';

/** ENGINE_LABELS are the database servers' names as people write them. */
export const ENGINE_LABELS: Record<TDatabaseEngine, string> = {
  mariadb: 'MariaDB',
  postgresql: 'PostgreSQL',
};

/** ENGINE_OPTIONS is the engine choice of the create forms, in the contracts' order. */
export const ENGINE_OPTIONS = DATABASE_ENGINES.map((value) => ({ value, label: ENGINE_LABELS[value] }));

/** ADMIN_TOOLS is the web tool each engine's users sign in to: phpMyAdmin for MariaDB, Adminer for PostgreSQL. */
export const ADMIN_TOOLS: Record<TDatabaseEngine, string> = {
  mariadb: 'phpMyAdmin',
  postgresql: 'Adminer',
};

/** isEngine narrows a Select's value to an engine. */
export function isEngine(value: string | null): value is TDatabaseEngine {
  return (DATABASE_ENGINES as readonly (string | null)[]).includes(value);
}

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/** formatBytes says a size in the largest 1024-based unit under which it stays at least 1 ("3.2 MB", "812 B"). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}
