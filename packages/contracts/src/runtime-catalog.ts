// No zod here: the console's first-load code reads the catalog's labels without pulling in zod (runtimes.ts
// builds the schemas on top of it).

/**
 * RUNTIME_CATALOG lists every runtime kind a site can pick and the versions of each. It is the single list
 * that the API validates against, the console offers and `packages/runtime` maps to container images; a
 * version not listed here can never reach a container or a config file.
 */
export const RUNTIME_CATALOG = {
  php: { label: 'PHP', versions: ['7.4', '8.2', '8.4'], defaultVersion: '8.4' },
  node: { label: 'Node.js', versions: ['18', '20'], defaultVersion: '20' },
  python: { label: 'Python', versions: ['3.11'], defaultVersion: '3.11' },
  static: { label: 'Static files', versions: ['1'], defaultVersion: '1' },
} as const satisfies Record<string, { label: string; versions: readonly string[]; defaultVersion: string }>;
