import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { RuntimeError } from '../errors.js';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertSlug, assertUid } from '../inputs.guard.js';
import type { DockerDriver, TenantIdentity } from '../runtime.types.js';
import { LAYOUT, tenantSitesDir, tenantsRoot } from '../layout.js';
import { isErrno, makeDirAt, removeTree, withDirChain, writeNewFileAt, type Dir, type Owner } from '../fs/dir-fd.js';

// The layout under <dataDir>/tenants/<tenant>/ is decided in layout.ts. sites/<site>/ is rw in PHP-FPM/app
// containers and ro in the webserver; config/ is mounted read-only, so the tenant cannot change it.

/** tenantDir is the root of one tenant's files. */
export function tenantDir(ctx: DockerDriver, tenantId: string): string {
  return join(tenantsRoot(ctx.dataDir), assertSlug(tenantId, 'tenant id'));
}

/** sitesDir holds every site's files of a tenant. */
export function sitesDir(ctx: DockerDriver, tenantId: string): string {
  return tenantSitesDir(tenantsRoot(ctx.dataDir), assertSlug(tenantId, 'tenant id'));
}

/** configDir is where a component's generated config files are written (mounted read-only). */
export function configDir(ctx: DockerDriver, tenantId: string, component: string): string {
  return join(tenantDir(ctx, tenantId), LAYOUT.config, component);
}

function stateDir(ctx: DockerDriver, tenantId: string): string {
  return join(tenantDir(ctx, tenantId), LAYOUT.state);
}

/**
 * ensureOwnedDirAt makes `name` in `parent` a real directory owned by the tenant and opens it. It never
 * follows a symbolic link: the tenant owns the parent and could swap the directory for a link to /etc, and a
 * root `chown` through it would hand /etc to the tenant. Ownership is (re)applied through the directory's own
 * descriptor; a link where a directory belongs is refused.
 */
async function ensureOwnedDirAt(parent: Dir, name: string, owner: Owner, mode?: number): Promise<Dir> {
  let dir: Dir;
  try {
    dir = (await makeDirAt(parent, name, owner, mode)).dir;
  } catch (err) {
    if (isErrno(err, 'ELOOP', 'ENOTDIR')) {
      throw new RuntimeError(
        'INVALID_INPUT',
        `${parent.realPath}/${name} must be a directory, but it is a symbolic link or a file; remove it so Berth can recreate it.`,
      );
    }
    throw err;
  }
  try {
    await dir.handle.chown(owner.uid, owner.gid);
    if (mode !== undefined) await dir.handle.chmod(mode);
    return dir;
  } catch (err) {
    await dir.close();
    throw err;
  }
}

/** ownerOf validates a tenant's uid/gid before anything is given to them. */
function ownerOf(tenant: TenantIdentity): Owner {
  return { uid: assertUid(tenant.uid), gid: assertUid(tenant.gid, 'gid') };
}

/**
 * withSitesDir opens the tenant's `sites/` (created and owned by the tenant if missing) from the tenant's own
 * directory, which is the panel's: neither `tenants/` nor `tenants/<tenant>/` is writable by the tenant.
 */
async function withSitesDir<T>(ctx: DockerDriver, tenant: TenantIdentity, use: (sites: Dir) => Promise<T>): Promise<T> {
  const owner = ownerOf(tenant);
  const root = tenantDir(ctx, tenant.tenantId);
  await mkdir(root, { recursive: true, mode: 0o755 });
  return withDirChain(root, [], { create: false }, async (tenantRoot) => {
    const sites = await ensureOwnedDirAt(tenantRoot, LAYOUT.sites, owner, 0o755);
    try {
      return await use(sites);
    } finally {
      await sites.close();
    }
  });
}

/** SITES_RECORD is the state file listing the site directories the runtime made (root's, 0700 dir): only those are ever deleted. */
const SITES_RECORD = 'sites.json';

async function readSitesRecord(ctx: DockerDriver, tenantId: string): Promise<string[]> {
  try {
    const value: unknown = JSON.parse(await readFile(join(stateDir(ctx, tenantId), SITES_RECORD), 'utf8'));
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch (err) {
    if (isErrno(err, 'ENOENT') || err instanceof SyntaxError) return [];
    throw err;
  }
}

async function writeSitesRecord(ctx: DockerDriver, tenantId: string, ids: readonly string[]): Promise<void> {
  const record = join(stateDir(ctx, tenantId), SITES_RECORD);
  await writeFile(`${record}.tmp`, JSON.stringify([...new Set(ids)].sort()), { mode: 0o600 });
  await rename(`${record}.tmp`, record);
}

/**
 * ensureTenantDirs creates the tenant's directories and gives `sites/` and each site directory to the
 * tenant's uid, so PHP-FPM/Node/Python (running as that uid) can write there and nothing else can. The sites
 * it made are remembered in the tenant's state (root's, which the tenant cannot write) for
 * removeRetiredSiteDirs. Every operation inside `sites/` goes through directory descriptors (see fs/dir-fd.ts).
 */
export async function ensureTenantDirs(
  ctx: DockerDriver,
  tenant: TenantIdentity,
  siteIds: readonly string[],
): Promise<void> {
  const owner = ownerOf(tenant);
  const root = tenantDir(ctx, tenant.tenantId);
  await mkdir(join(root, LAYOUT.config), { recursive: true, mode: 0o755 });
  await mkdir(stateDir(ctx, tenant.tenantId), { recursive: true, mode: 0o700 });
  const wanted = siteIds.map((id) => assertSlug(id, 'site id'));
  await withSitesDir(ctx, tenant, async (sites) => {
    for (const siteId of wanted) await (await ensureOwnedDirAt(sites, siteId, owner)).close();
  });
  const known = await readSitesRecord(ctx, tenant.tenantId);
  if (wanted.some((id) => !known.includes(id))) await writeSitesRecord(ctx, tenant.tenantId, [...known, ...wanted]);
}

/**
 * removeRetiredSiteDirs deletes the directory, with its files, of every site ensureTenantDirs made that is no
 * longer among `siteIds` (the tenant's whole set: the site was deleted). A folder the tenant made itself in
 * `sites/` is never a candidate, and deletion never follows a link (removeTree).
 */
export async function removeRetiredSiteDirs(
  ctx: DockerDriver,
  tenant: TenantIdentity,
  siteIds: readonly string[],
): Promise<string[]> {
  const known = await readSitesRecord(ctx, tenant.tenantId);
  const retired = known.filter((id) => !siteIds.includes(id));
  if (retired.length === 0) return [];
  await withSitesDir(ctx, tenant, async (sites) => {
    for (const siteId of retired) await removeTree(sites, assertSlug(siteId, 'site id'));
  });
  await writeSitesRecord(
    ctx,
    tenant.tenantId,
    known.filter((id) => siteIds.includes(id)),
  );
  ctx.logger?.info({ tenantId: tenant.tenantId, retired }, 'runtime: files of deleted sites removed');
  return retired;
}

/** writeConfigFile writes a generated file atomically (temp + rename) so a running server never reads half of it. */
export async function writeConfigFile(
  ctx: DockerDriver,
  tenantId: string,
  component: string,
  file: string,
  content: string,
): Promise<string> {
  const dir = configDir(ctx, tenantId, component);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, file);
  const tmp = join(dir, `.${file}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, path);
  return path;
}

/** readConfigFile returns a previously written config file, or undefined. */
export async function readConfigFile(
  ctx: DockerDriver,
  tenantId: string,
  component: string,
  file: string,
): Promise<string | undefined> {
  try {
    return await readFile(join(configDir(ctx, tenantId, component), file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** AppliedState records which config hash a container was last (re)loaded with. */
export interface AppliedState {
  containerId: string;
  configHash: string;
}

/** readAppliedState reads what the runtime last applied for a component (undefined if never). */
export async function readAppliedState(
  ctx: DockerDriver,
  tenantId: string,
  component: string,
): Promise<AppliedState | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir(ctx, tenantId), `${component}.json`), 'utf8')) as AppliedState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** writeAppliedState records the config hash a container now runs with. */
export async function writeAppliedState(
  ctx: DockerDriver,
  tenantId: string,
  component: string,
  state: AppliedState,
): Promise<void> {
  const dir = stateDir(ctx, tenantId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, `${component}.json`), JSON.stringify(state), { mode: 0o600 });
}

/** clearComponentFiles drops a removed component's config and state. */
export async function clearComponentFiles(ctx: DockerDriver, tenantId: string, component: string): Promise<void> {
  await rm(configDir(ctx, tenantId, component), { recursive: true, force: true });
  await rm(join(stateDir(ctx, tenantId), `${component}.json`), { force: true });
}

/**
 * readOrCreateSecret returns a per-tenant hex secret stored in state/ (0600), creating it once; used for the
 * Varnish purge token so the VCL and purgeCache agree across restarts of the panel.
 */
export async function readOrCreateSecret(ctx: DockerDriver, tenantId: string, name: string): Promise<string> {
  const dir = stateDir(ctx, tenantId);
  const path = join(dir, `${name}.secret`);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(24).toString('hex');
  await writeFile(path, secret, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return (await readFile(path, 'utf8')).trim();
}

/** removeTenantFiles deletes a tenant's generated files, and its sites too when `includeSites` is set. */
export async function removeTenantFiles(ctx: DockerDriver, tenantId: string, includeSites: boolean): Promise<void> {
  const root = tenantDir(ctx, tenantId);
  if (includeSites) {
    await rm(root, { recursive: true, force: true });
    return;
  }
  await rm(join(root, 'config'), { recursive: true, force: true });
  await rm(join(root, 'state'), { recursive: true, force: true });
}

const DEFAULT_NODE_APP = `// Berth's starter app: replace it with yours (the site runs \`node server.js\` and must listen on PORT).
const http = require('node:http');
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Hello from Node.js ' + process.version + '\\n');
}).listen(Number(process.env.PORT || 3000), '0.0.0.0');
`;

const DEFAULT_PYTHON_APP = `# Berth's starter app: replace it with yours (the site runs gunicorn app:app).
import sys

def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8')])
    return [('Hello from Python %s\\n' % sys.version.split()[0]).encode()]
`;

/**
 * defaultPhpIndex is the index.php ensureSiteScaffold gives a new PHP site. It prints the running PHP_VERSION
 * rather than the one chosen at creation, so it stays true after a version switch; installWordPress installs
 * over it only while it is byte for byte this text.
 */
export function defaultPhpIndex(): string {
  return `<?php /* Berth's default page: replace it with your site. */ ?>
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>It works</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem;">
<h1>Your site is live</h1>
<p>This site runs PHP <?= htmlspecialchars(PHP_VERSION) ?>. Upload your files to replace this page.</p>
</body></html>
`;
}

const DEFAULT_STATIC_INDEX = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>It works</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem;"><h1>Your site is live</h1><p>Upload your files to replace this page.</p></body></html>
`;

/**
 * ensureSiteScaffold gives a new site something to serve: a default page naming the PHP version for PHP
 * sites, an index.html for static sites, a starter server.js / app.py for Node.js and Python sites. It only
 * ever adds missing files (never overwrites the tenant's), owned by the tenant's uid.
 */
export async function ensureSiteScaffold(
  ctx: DockerDriver,
  tenant: TenantIdentity,
  site: { siteId: string; kind: 'php' | 'static' | 'node' | 'python'; version?: string; documentRoot?: string },
): Promise<void> {
  const owner = ownerOf(tenant);
  const siteId = assertSlug(site.siteId, 'site id');
  await withSitesDir(ctx, tenant, async (sites) => {
    const siteDir = await ensureOwnedDirAt(sites, siteId, owner);
    try {
      if (site.kind === 'node') {
        await writeNewFileAt(siteDir, 'server.js', DEFAULT_NODE_APP, owner);
        return;
      }
      if (site.kind === 'python') {
        await writeNewFileAt(siteDir, 'app.py', DEFAULT_PYTHON_APP, owner);
        return;
      }
      let docroot = siteDir;
      if (site.documentRoot) {
        const name = assertSlug(site.documentRoot, 'document root');
        // A document root the tenant made a link (release switching) is theirs to fill: never follow it as root.
        const existing = await lstat(siteDir.entry(name)).catch(() => undefined);
        if (existing?.isSymbolicLink()) return;
        docroot = await ensureOwnedDirAt(siteDir, name, owner);
      }
      try {
        const entries = (await readdir(docroot.proc)).filter((n) => !n.startsWith('.'));
        if (entries.length > 0) return;
        if (site.kind === 'php') await writeNewFileAt(docroot, 'index.php', defaultPhpIndex(), owner);
        else await writeNewFileAt(docroot, 'index.html', DEFAULT_STATIC_INDEX, owner);
      } finally {
        if (docroot !== siteDir) await docroot.close();
      }
    } finally {
      await siteDir.close();
    }
  });
}
