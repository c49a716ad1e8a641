import { RUNTIME_CATALOG, type TSite } from '@berth/contracts';

/** runtimeLabel names a site's runtime the way users say it: "PHP 8.2", "Node.js 20", "Static files". */
export function runtimeLabel(runtime: TSite['runtime']): string {
  if (runtime.kind === 'static') return RUNTIME_CATALOG.static.label;
  return `${RUNTIME_CATALOG[runtime.kind].label} ${runtime.version}`;
}
