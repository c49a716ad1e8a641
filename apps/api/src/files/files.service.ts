import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { tenantSitesDir, tenantsRoot } from '@berth/runtime/layout';
import { FILE_UPLOAD_MAX_BYTES, splitFilePath, type TFileEntry, type TFileListing } from '@berth/contracts';
import { requireNotBilling, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { copyBody } from './files.body.js';
import { DocumentRoot, isErrno, outsideRoot, pathConflict, type Dir } from './files.docroot.js';
import { listDirectory, toEntry } from './files.listing.js';
import { removeTree } from '@berth/runtime/dir-fd';
import { databaseBytes, measureDiskUsage } from './files.usage.js';

const MiB = 1024 * 1024;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const DISK_WAIT_MS = 20_000;
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

interface SiteRow {
  id: string;
  tenantId: string;
  tenant: { slug: string; uid: number; status: string; plan: { diskMb: number } };
}

/** FileRead is a folder's listing or a file to stream (its descriptor is closed when the stream ends). */
export type FileRead =
  { kind: 'listing'; listing: TFileListing } | { kind: 'file'; name: string; size: number; stream: Readable };

export interface UploadInput {
  siteId: string;
  path: string;
  /** The raw request body; undefined for an empty body. */
  body: Readable | undefined;
  /** Content-Length when the client sent one. */
  declaredBytes: number | null;
}

/**
 * FilesService reads and changes the files below a site's document root on behalf of its tenant. It
 * authorizes like every service (another tenant's site is "not found", read-only and billing tokens
 * cannot write, a suspended tenant cannot write), confines every path to the document root (see
 * DocumentRoot), gives what it creates to the tenant's uid, keeps uploads within the plan's disk, and
 * records an event in the same transaction that makes each change visible (the final rename, unlink or
 * mkdir). Uploads are streamed to a temp file and renamed into place, so a failed one leaves nothing.
 */
export class FilesService {
  /** Bytes written by uploads per tenant since the process started; only differences are used (see upload). */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly deps: {
      db: Db;
      dataDir: string;
      log: FastifyBaseLogger;
      /** Every tenant's `sites/` is a disk of its own, mounted by the control plane (the panel; not unit tests). */
      tenantDisks?: boolean;
      /** How long a request waits for a new account's disk before answering FILES_NOT_READY (ms). */
      diskWaitMs?: number;
    },
  ) {}

  async read(ctx: RequestContext, siteId: string, relPath: string): Promise<FileRead> {
    requireNotBilling(ctx.principal);
    const site = await this.findSite(ctx, siteId);
    const segments = splitFilePath(relPath);
    const root = await this.openRoot(site, false);
    if (!root) {
      if (segments.length === 0) return { kind: 'listing', listing: { path: '', entries: [] } };
      throw notFound('File');
    }
    try {
      if (segments.length === 0)
        return { kind: 'listing', listing: { path: '', entries: await listDirectory(root.root.proc) } };
      const walked = await root.walk(segments.slice(0, -1));
      if ('notDirectory' in walked || walked.missing.length > 0) throw notFound('File');
      const found = await root.lookup(walked.dir, segments[segments.length - 1]!);
      if (found.kind === 'missing') throw notFound('File');
      if (found.kind === 'root')
        return { kind: 'listing', listing: { path: relPath, entries: await listDirectory(root.root.proc) } };
      return await this.openForRead({
        root,
        site,
        dir: found.dir,
        name: found.name,
        relPath,
        displayName: segments[segments.length - 1]!,
      });
    } finally {
      await root.close();
    }
  }

  async upload(ctx: RequestContext, input: UploadInput): Promise<TFileEntry> {
    requireWrite(ctx.principal);
    const site = await this.findSite(ctx, input.siteId);
    assertActive(site);
    const segments = splitFilePath(input.path);
    if (segments.length === 0) throw pathConflict('Name the file to upload: PUT /sites/{id}/files/<path>.');
    if (input.declaredBytes !== null && input.declaredBytes > FILE_UPLOAD_MAX_BYTES) throw tooLarge();
    const log = this.logFor(ctx, site, 'file.upload');
    const root = (await this.openRoot(site, true))!;
    try {
      const walked = await root.walk(segments.slice(0, -1));
      if ('notDirectory' in walked) throw pathConflict('A file is in the way of a folder on this path.');
      let anchor = walked.dir;
      let name = segments[segments.length - 1]!;
      let replacedBytes = 0;
      if (walked.missing.length === 0) {
        const found = await root.lookup(anchor, name);
        if (found.kind === 'root') throw pathConflict(`"${input.path}" is a folder; upload to a path inside it.`);
        if (found.kind === 'entry') {
          if (found.stats.isDirectory()) throw pathConflict(`"${input.path}" is a folder; upload to a path inside it.`);
          if (!found.stats.isFile()) throw pathConflict(`"${input.path}" is a special file and cannot be replaced.`);
          // Replace the real file (through a link that stays inside), writing next to it.
          anchor = found.dir;
          name = found.name;
          replacedBytes = found.stats.blocks * 512;
        }
      }

      const onChunk = await this.diskGuard(site, { replacedBytes, declaredBytes: input.declaredBytes });
      const tempName = `.berth-upload-${randomBytes(8).toString('hex')}.tmp`;
      const temp = await openTemp(anchor, tempName);
      let committed = false;
      let undoDirs: (() => Promise<void>) | undefined;
      try {
        await root.assertHandleInside(temp);
        await temp.chown(site.tenant.uid, site.tenant.uid);
        await temp.chmod(0o644);
        const bytes = await copyBody(input.body ?? Readable.from([]), temp, onChunk);
        const made = await root.makeDirs(anchor, walked.missing);
        undoDirs = made.undo;
        await this.deps.db.$transaction(async (tx) => {
          await recordEvent(tx, ctx, {
            action: 'file.upload',
            targetType: 'site',
            targetId: site.id,
            tenantId: site.tenantId,
            details: { path: input.path, bytes },
          });
          try {
            await fs.rename(anchor.entry(tempName), made.dir.entry(name));
          } catch (error) {
            if (isErrno(error, 'EISDIR', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'))
              throw pathConflict(`"${input.path}" is a folder; upload to a path inside it.`);
            throw error;
          }
        });
        committed = true;
        log.info({ bytes }, 'file uploaded');
        return toEntry(segments[segments.length - 1]!, await fs.lstat(made.dir.entry(name)));
      } finally {
        await temp.close();
        if (!committed) await this.discardUpload({ log, anchor, tempName, undoDirs });
      }
    } finally {
      await root.close();
    }
  }

  async makeDirectory(ctx: RequestContext, siteId: string, relPath: string): Promise<TFileEntry> {
    requireWrite(ctx.principal);
    const site = await this.findSite(ctx, siteId);
    assertActive(site);
    const segments = splitFilePath(relPath);
    if (segments.length === 0) throw pathConflict('The document root already exists; name the folder to create.');
    const root = (await this.openRoot(site, true))!;
    try {
      const walked = await root.walk(segments.slice(0, -1));
      if ('notDirectory' in walked) throw pathConflict('A file is in the way of a folder on this path.');
      const name = segments[segments.length - 1]!;
      if (walked.missing.length === 0 && (await root.lookup(walked.dir, name)).kind !== 'missing') {
        throw pathConflict(`"${relPath}" already exists.`);
      }
      let created: Dir | undefined;
      let undo: (() => Promise<void>) | undefined;
      try {
        await this.deps.db.$transaction(async (tx) => {
          await recordEvent(tx, ctx, {
            action: 'file.mkdir',
            targetType: 'site',
            targetId: site.id,
            tenantId: site.tenantId,
            details: { path: relPath },
          });
          const made = await root.makeDirs(walked.dir, [...walked.missing, name]);
          created = made.dir;
          undo = made.undo;
        });
      } catch (error) {
        await undo?.();
        throw error;
      }
      return toEntry(name, await created!.handle.stat());
    } finally {
      await root.close();
    }
  }

  async remove(ctx: RequestContext, siteId: string, relPath: string, opts: { recursive: boolean }): Promise<void> {
    requireWrite(ctx.principal);
    const site = await this.findSite(ctx, siteId);
    assertActive(site);
    const segments = splitFilePath(relPath);
    if (segments.length === 0)
      throw pathConflict('The document root itself cannot be deleted; delete what is inside it.');
    const root = await this.openRoot(site, false);
    if (!root) throw notFound('File');
    try {
      const walked = await root.walk(segments.slice(0, -1));
      if ('notDirectory' in walked || walked.missing.length > 0) throw notFound('File');
      const dir = walked.dir;
      const name = segments[segments.length - 1]!;
      let stats: Stats;
      try {
        stats = await fs.lstat(dir.entry(name));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) throw notFound('File');
        throw error;
      }
      // The link itself is what goes, but only a link that stays inside the root may be touched at all.
      if (stats.isSymbolicLink()) await root.checkLink(dir, name);
      const type = stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'file';
      const event = {
        action: 'file.delete',
        targetType: 'site',
        targetId: site.id,
        tenantId: site.tenantId,
        details: { path: relPath, type, recursive: opts.recursive, ...(type === 'file' ? { bytes: stats.size } : {}) },
      };
      if (type !== 'directory') {
        await this.deps.db.$transaction(async (tx) => {
          await recordEvent(tx, ctx, event);
          await fs.unlink(dir.entry(name)).catch((error: unknown) => {
            if (isErrno(error, 'EISDIR'))
              throw pathConflict(`"${relPath}" changed while it was being deleted; try again.`);
            throw error;
          });
        });
        return;
      }
      if (!opts.recursive) {
        await this.deps.db.$transaction(async (tx) => {
          await recordEvent(tx, ctx, event);
          await fs.rmdir(dir.entry(name)).catch((error: unknown) => {
            if (isErrno(error, 'ENOTEMPTY', 'EEXIST'))
              throw pathConflict(
                `The folder "${relPath}" is not empty; pass recursive=true to delete it with everything in it.`,
              );
            if (isErrno(error, 'ENOTDIR'))
              throw pathConflict(`"${relPath}" changed while it was being deleted; try again.`);
            throw error;
          });
        });
        return;
      }
      // The folder leaves its place atomically (with the event), then its content is deleted.
      const trash = `.berth-delete-${randomBytes(8).toString('hex')}`;
      await this.deps.db.$transaction(async (tx) => {
        await recordEvent(tx, ctx, event);
        await fs.rename(dir.entry(name), dir.entry(trash));
      });
      try {
        await removeTree(dir, trash);
      } catch (error) {
        this.logFor(ctx, site, 'file.delete').warn({ err: error, trash }, 'could not delete all of a removed folder');
        throw new AppError(
          'INTERNAL',
          `The folder was removed, but part of its content could not be deleted; it remains as "${trash}" next to where it was.`,
          { cause: error },
        );
      }
    } finally {
      await root.close();
    }
  }

  /**
   * diskGuard checks one upload against the plan's disk and the hard cap: up front with its Content-Length,
   * then per chunk. The tenant's usage is measured once (`du` of its sites, which includes the temp files
   * of uploads in flight); from then on every byte any upload of the tenant writes counts too, so parallel
   * uploads cannot each take the same free space. Replacing a file frees its old size.
   */
  private async diskGuard(
    site: SiteRow,
    opts: { replacedBytes: number; declaredBytes: number | null },
  ): Promise<(ownBytes: number, chunkBytes: number) => void> {
    const usedBytes =
      (await measureDiskUsage(tenantSitesDir(tenantsRoot(this.deps.dataDir), site.tenantId))) +
      (await databaseBytes(this.deps.db, site.tenantId));
    const room = site.tenant.plan.diskMb * MiB + opts.replacedBytes - usedBytes;
    if (opts.declaredBytes !== null && opts.declaredBytes > room)
      throw overPlan(site, { bytes: opts.declaredBytes, usedBytes, partial: false });
    const writtenAtStart = this.written.get(site.tenantId) ?? 0;
    return (ownBytes, chunkBytes) => {
      const written = (this.written.get(site.tenantId) ?? 0) + chunkBytes;
      this.written.set(site.tenantId, written);
      if (ownBytes > FILE_UPLOAD_MAX_BYTES) throw tooLarge();
      if (written - writtenAtStart > room) throw overPlan(site, { bytes: ownBytes, usedBytes, partial: true });
    };
  }

  /** openForRead opens `name` in `dir` without following a link and answers a listing or a file stream. */
  private async openForRead(args: {
    root: DocumentRoot;
    site: SiteRow;
    dir: Dir;
    name: string;
    relPath: string;
    displayName: string;
  }): Promise<FileRead> {
    let handle: FileHandle;
    try {
      handle = await fs.open(args.dir.entry(args.name), READ_FLAGS);
    } catch (error) {
      if (isErrno(error, 'ELOOP')) throw outsideRoot();
      if (isErrno(error, 'ENOENT')) throw notFound('File');
      throw error;
    }
    let streaming = false;
    try {
      await args.root.assertHandleInside(handle);
      const stats = await handle.stat();
      if (stats.isDirectory())
        return {
          kind: 'listing',
          listing: { path: args.relPath, entries: await listDirectory(`/proc/self/fd/${handle.fd}`) },
        };
      if (!stats.isFile()) throw pathConflict(`"${args.relPath}" is a special file and cannot be downloaded.`);
      // A hard link to a file of someone else (e.g. root's) is not the tenant's to read.
      if (stats.nlink > 1 && stats.uid !== args.site.tenant.uid)
        throw pathConflict(`"${args.relPath}" is a hard link to a file the site does not own.`);
      if (stats.size === 0) return { kind: 'file', name: args.displayName, size: 0, stream: Readable.from([]) };
      streaming = true;
      return {
        kind: 'file',
        name: args.displayName,
        size: stats.size,
        stream: handle.createReadStream({ start: 0, end: stats.size - 1 }),
      };
    } finally {
      if (!streaming) await handle.close();
    }
  }

  private async discardUpload(args: {
    log: FastifyBaseLogger;
    anchor: Dir;
    tempName: string;
    undoDirs: (() => Promise<void>) | undefined;
  }): Promise<void> {
    try {
      await fs.unlink(args.anchor.entry(args.tempName));
    } catch (error) {
      if (!isErrno(error, 'ENOENT'))
        args.log.warn({ err: error, temp: args.tempName }, 'could not remove the temp file of a failed upload');
    }
    try {
      await args.undoDirs?.();
    } catch (error) {
      args.log.warn({ err: error }, 'could not remove the folders created for a failed upload');
    }
  }

  /** findSite loads a site the principal may see, with what the files API needs of its tenant. */
  private async findSite(ctx: RequestContext, id: string): Promise<SiteRow> {
    const row = await this.deps.db.site.findFirst({
      where: { id, tenantId: tenantScope(ctx.principal) },
      select: {
        id: true,
        tenantId: true,
        tenant: { select: { slug: true, uid: true, status: true, plan: { select: { diskMb: true } } } },
      },
    });
    if (!row) throw notFound('Site');
    return row;
  }

  /**
   * openRoot opens the site's document root. A new account's disk is made and mounted by its first
   * reconcile pass, seconds after creation: a request in that window waits for it (up to `diskWaitMs`).
   */
  private async openRoot(site: SiteRow, create: boolean): Promise<DocumentRoot | null> {
    const deadline = Date.now() + (this.deps.diskWaitMs ?? DISK_WAIT_MS);
    for (;;) {
      try {
        return await DocumentRoot.open({
          dataDir: this.deps.dataDir,
          tenantId: site.tenantId,
          siteId: site.id,
          owner: { uid: site.tenant.uid, gid: site.tenant.uid },
          create,
          ownDisk: this.deps.tenantDisks ?? false,
        });
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'FILES_NOT_READY') || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  private logFor(ctx: RequestContext, site: SiteRow, op: string): FastifyBaseLogger {
    return this.deps.log.child({ reqId: ctx.reqId, tenantId: site.tenantId, siteId: site.id, op });
  }
}

function assertActive(site: SiteRow): void {
  if (site.tenant.status === 'suspended')
    throw new AppError(
      'TENANT_SUSPENDED',
      "This account is suspended; its sites' files cannot be changed until it is unsuspended.",
    );
}

async function openTemp(dir: Dir, name: string): Promise<FileHandle> {
  return fs.open(dir.entry(name), TEMP_FLAGS, 0o644);
}

function tooLarge(): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `One upload is at most ${FILE_UPLOAD_MAX_BYTES / MiB} MiB.`);
}

function overPlan(
  site: SiteRow,
  { bytes, usedBytes, partial }: { bytes: number; usedBytes: number; partial: boolean },
): AppError {
  const mb = (n: number) => (n / MiB).toFixed(1);
  return new AppError(
    'PLAN_LIMIT_REACHED',
    `Uploading ${partial ? 'more than ' : ''}${mb(bytes)} MB would take the account over its plan's ${site.tenant.plan.diskMb} MB of disk (${mb(usedBytes)} MB in use); delete files or move to a larger plan.`,
    { details: { diskMb: site.tenant.plan.diskMb, usedBytes } },
  );
}
