import { createHash, randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { tenantSitesDir, tenantsRoot } from '@berth/runtime/layout';
import {
  FILE_EDIT_MAX_BYTES,
  FILE_UPLOAD_MAX_BYTES,
  splitFilePath,
  type TExtractArchiveRequest,
  type TExtractArchiveResult,
  type TFileEntry,
  type TFileListing,
  type TUpdateFileRequest,
} from '@berth/contracts';
import { requireNotBilling, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { extractArchive, readArchive } from './files.archive.js';
import { copyBody } from './files.body.js';
import { DocumentRoot, isErrno, outsideRoot, pathConflict, type Dir } from './files.docroot.js';
import { ifMatchAllows, versionOf } from './files.etag.js';
import { formatMode, listDirectory, toEntry } from './files.listing.js';
import { fileExists, openForModeChange, planMove } from './files.move.js';
import { removeTree } from '@berth/runtime/dir-fd';
import { databaseBytes, measureDiskUsage } from './files.usage.js';
import { zipFolder } from './files.zip.js';

const MiB = 1024 * 1024;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const DISK_WAIT_MS = 20_000;
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

interface SiteRow {
  id: string;
  tenantId: string;
  tenant: { slug: string; uid: number; status: string; plan: { diskMb: number } };
}

/**
 * FileRead is a folder's listing or a file to stream (its descriptor is closed when the stream ends) with
 * its ETag (see files.etag.ts: a hash of the bytes sent for files up to FILE_EDIT_MAX_BYTES).
 */
export type FileRead =
  | { kind: 'listing'; listing: TFileListing }
  | { kind: 'file'; name: string; size: number; stream: Readable; etag: string };

/** FileWritten is an uploaded file and its new ETag. */
export interface FileWritten {
  entry: TFileEntry;
  etag: string;
}

export interface UploadInput {
  siteId: string;
  path: string;
  /** The raw request body; undefined for an empty body. */
  body: Readable | undefined;
  /** Content-Length when the client sent one. */
  declaredBytes: number | null;
  /** `If-Match`: replace the file only while its ETag is one of these (or `*`: while it exists); else FILE_CHANGED. */
  ifMatch?: string | undefined;
  /** `If-None-Match: *`: create the file only if nothing is at the path; else FILE_EXISTS. */
  ifNoneMatch?: string | undefined;
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

  async upload(ctx: RequestContext, input: UploadInput): Promise<FileWritten> {
    requireWrite(ctx.principal);
    const site = await this.findSite(ctx, input.siteId);
    assertActive(site);
    const segments = splitFilePath(input.path);
    if (segments.length === 0) throw pathConflict('Name the file to upload: PUT /sites/{id}/files/<path>.');
    const conditions = uploadConditions(input);
    if (input.declaredBytes !== null && input.declaredBytes > FILE_UPLOAD_MAX_BYTES) throw tooLarge();
    const log = this.logFor(ctx, site, 'file.upload');
    const root = (await this.openRoot(site, true))!;
    try {
      const walked = await root.walk(segments.slice(0, -1));
      if ('notDirectory' in walked) throw pathConflict('A file is in the way of a folder on this path.');
      let anchor = walked.dir;
      let name = segments[segments.length - 1]!;
      let replacedBytes = 0;
      let exists = false;
      if (walked.missing.length === 0) {
        const found = await root.lookup(anchor, name);
        exists = found.kind !== 'missing';
        if (exists && conditions.ifNoneMatch) throw alreadyThere(input.path);
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
      // Checked before the body is read (a stale editor learns at once) and again just before the rename.
      if (conditions.ifMatch !== undefined) await assertVersion({ dir: anchor, name, exists, ...conditions, input });

      const onChunk = await this.diskGuard(site, { replacedBytes, declaredBytes: input.declaredBytes });
      const tempName = `.berth-upload-${randomBytes(8).toString('hex')}.tmp`;
      const temp = await openTemp(anchor, tempName);
      let committed = false;
      let undoDirs: (() => Promise<void>) | undefined;
      try {
        await root.assertHandleInside(temp);
        await temp.chown(site.tenant.uid, site.tenant.uid);
        await temp.chmod(0o644);
        const hash = createHash('sha256');
        const bytes = await copyBody(input.body ?? Readable.from([]), temp, (total, chunkBytes, chunk) => {
          onChunk(total, chunkBytes);
          if (total <= FILE_EDIT_MAX_BYTES) hash.update(chunk);
        });
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
          if (conditions.ifMatch !== undefined)
            await assertVersion({ dir: made.dir, name, exists: true, ...conditions, input });
          try {
            if (conditions.ifNoneMatch) {
              // link(2) never replaces: something that appeared meanwhile stays, and the upload is refused.
              await fs.link(anchor.entry(tempName), made.dir.entry(name));
            } else await fs.rename(anchor.entry(tempName), made.dir.entry(name));
          } catch (error) {
            if (conditions.ifNoneMatch && isErrno(error, 'EEXIST')) throw alreadyThere(input.path);
            if (isErrno(error, 'EISDIR', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'))
              throw pathConflict(`"${input.path}" is a folder; upload to a path inside it.`);
            throw error;
          }
        });
        committed = true;
        // A create-only upload linked its temp file into place; the temp name itself goes now.
        if (conditions.ifNoneMatch) await this.discardUpload({ log, anchor, tempName, undoDirs: undefined });
        log.info({ bytes }, 'file uploaded');
        const stats = await fs.lstat(made.dir.entry(name));
        const etag =
          bytes <= FILE_EDIT_MAX_BYTES
            ? `"h-${hash.digest('base64url')}"`
            : ((await currentEtag(made.dir, name)) ?? '');
        return { entry: toEntry(segments[segments.length - 1]!, stats), etag };
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
   * downloadZip streams the folder at `relPath` (the document root for `''`) as a zip (see zipFolder:
   * links are left out). The root stays open until the stream ends.
   */
  async downloadZip(ctx: RequestContext, siteId: string, relPath: string): Promise<{ name: string; stream: Readable }> {
    requireNotBilling(ctx.principal);
    const site = await this.findSite(ctx, siteId);
    const segments = splitFilePath(relPath);
    const root = await this.openRoot(site, false);
    if (!root) throw notFound('File');
    let streaming = false;
    try {
      const walked = await root.walk(segments);
      if ('notDirectory' in walked)
        throw pathConflict(`"${relPath}" is a file; download it without format=zip, or zip its folder.`);
      if (walked.missing.length > 0) throw notFound('File');
      const folder = segments[segments.length - 1];
      const stream = zipFolder({
        root,
        dir: walked.dir,
        prefix: folder === undefined ? '' : `${folder}/`,
        uid: site.tenant.uid,
        log: this.logFor(ctx, site, 'file.zip'),
        done: () => root.close(),
      });
      streaming = true;
      return { name: `${folder ?? 'site'}.zip`, stream };
    } finally {
      if (!streaming) await root.close();
    }
  }

  /**
   * update renames or moves a file, link or folder (`to`), or changes the permissions of a file or folder
   * (`mode`, with fchmod on a descriptor opened O_NOFOLLOW), recording `file.move` or `file.chmod`.
   */
  async update(ctx: RequestContext, siteId: string, relPath: string, change: TUpdateFileRequest): Promise<TFileEntry> {
    requireWrite(ctx.principal);
    const site = await this.findSite(ctx, siteId);
    assertActive(site);
    const segments = splitFilePath(relPath);
    const root = await this.openRoot(site, false);
    if (!root) throw notFound('File');
    try {
      if (change.mode !== undefined) {
        const mode = change.mode;
        const { handle, name } = await openForModeChange({ root, segments, text: relPath, uid: site.tenant.uid });
        try {
          const before = await handle.stat();
          await this.deps.db.$transaction(async (tx) => {
            await recordEvent(tx, ctx, {
              action: 'file.chmod',
              targetType: 'site',
              targetId: site.id,
              tenantId: site.tenantId,
              details: { path: relPath, mode, was: formatMode(before.mode) },
            });
            await handle.chmod(parseInt(mode, 8));
          });
          return toEntry(name, await handle.stat());
        } finally {
          await handle.close();
        }
      }
      const to = change.to ?? '';
      const plan = await planMove({
        root,
        from: segments,
        to: splitFilePath(to),
        fromText: relPath,
        toText: to,
        overwrite: change.overwrite ?? false,
      });
      let entry: TFileEntry | undefined;
      await this.deps.db.$transaction(async (tx) => {
        await recordEvent(tx, ctx, {
          action: 'file.move',
          targetType: 'site',
          targetId: site.id,
          tenantId: site.tenantId,
          details: { path: relPath, to, type: plan.type, replaced: plan.replaced },
        });
        entry = await plan.apply();
      });
      return entry!;
    } finally {
      await root.close();
    }
  }

  /**
   * extract extracts the zip at `relPath` into its folder (or `into`), all or nothing, within the plan's
   * disk (see extractArchive for the bounds and what is never extracted); `file.extract` is recorded with
   * the moment the files appear.
   */
  async extract(
    ctx: RequestContext,
    siteId: string,
    relPath: string,
    request: TExtractArchiveRequest,
  ): Promise<TExtractArchiveResult> {
    requireWrite(ctx.principal);
    const site = await this.findSite(ctx, siteId);
    assertActive(site);
    const segments = splitFilePath(relPath);
    if (segments.length === 0) throw pathConflict('Name the zip to extract: POST /sites/{id}/extractions/<path>.zip.');
    const target = request.into === undefined ? segments.slice(0, -1) : splitFilePath(request.into);
    const log = this.logFor(ctx, site, 'file.extract');
    const root = await this.openRoot(site, false);
    if (!root) throw notFound('File');
    try {
      const walked = await root.walk(segments.slice(0, -1));
      if ('notDirectory' in walked || walked.missing.length > 0) throw notFound('File');
      const found = await root.lookup(walked.dir, segments[segments.length - 1]!);
      if (found.kind === 'missing') throw notFound('File');
      if (found.kind === 'root' || !found.stats.isFile())
        throw pathConflict(`"${relPath}" is not a file; name the .zip file to extract.`);
      let handle: FileHandle;
      try {
        handle = await fs.open(found.dir.entry(found.name), READ_FLAGS);
      } catch (error) {
        if (isErrno(error, 'ELOOP')) throw outsideRoot();
        if (isErrno(error, 'ENOENT')) throw notFound('File');
        throw error;
      }
      try {
        await root.assertHandleInside(handle);
        const stats = await handle.stat();
        if (!stats.isFile()) throw pathConflict(`"${relPath}" is not a file; name the .zip file to extract.`);
        if (stats.nlink > 1 && stats.uid !== site.tenant.uid)
          throw pathConflict(`"${relPath}" is a hard link to a file the site does not own.`);
        const archive = await readArchive(handle, relPath);
        try {
          const onChunk = await this.diskGuard(site, { replacedBytes: 0, declaredBytes: archive.totalBytes });
          const written = await extractArchive({
            root,
            archive,
            target,
            owner: { uid: site.tenant.uid, gid: site.tenant.uid },
            overwrite: request.overwrite ?? false,
            onChunk,
            log,
            commit: (merge) =>
              this.deps.db.$transaction(
                async (tx) => {
                  const result = await merge();
                  await recordEvent(tx, ctx, {
                    action: 'file.extract',
                    targetType: 'site',
                    targetId: site.id,
                    tenantId: site.tenantId,
                    details: {
                      path: relPath,
                      into: target.join('/'),
                      files: result.files,
                      directories: result.directories,
                      bytes: result.bytes,
                      replaced: result.replaced,
                      skipped: archive.skipped.length,
                      deleteArchive: request.deleteArchive ?? false,
                    },
                  });
                  return result;
                },
                { timeout: 120_000 },
              ),
          });
          if (request.deleteArchive)
            await this.removeArchive({ log, dir: found.dir, name: found.name, ino: stats.ino });
          log.info({ files: written.files, bytes: written.bytes }, 'zip extracted');
          return {
            into: target.join('/'),
            files: written.files,
            directories: written.directories,
            bytes: written.bytes,
            skipped: archive.skipped,
          };
        } finally {
          archive.zip.close();
        }
      } finally {
        await handle.close();
      }
    } finally {
      await root.close();
    }
  }

  /** removeArchive deletes an extracted zip, if the name is still that file (best effort: the extraction is done). */
  private async removeArchive(args: { log: FastifyBaseLogger; dir: Dir; name: string; ino: number }): Promise<void> {
    try {
      const now = await fs.lstat(args.dir.entry(args.name));
      if (now.isFile() && now.ino === args.ino) await fs.unlink(args.dir.entry(args.name));
    } catch (error) {
      args.log.warn({ err: error }, 'could not delete the zip after extracting it');
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
      const version = await versionOf(handle);
      if (version.bytes)
        return {
          kind: 'file',
          name: args.displayName,
          size: version.bytes.length,
          stream: Readable.from([version.bytes]),
          etag: version.etag,
        };
      streaming = true;
      return {
        kind: 'file',
        name: args.displayName,
        size: stats.size,
        stream: handle.createReadStream({ start: 0, end: stats.size - 1 }),
        etag: version.etag,
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

function uploadConditions(input: UploadInput): { ifMatch: string | undefined; ifNoneMatch: boolean } {
  const badHeader = (message: string) =>
    new AppError('VALIDATION_FAILED', message, { details: { issues: [{ in: 'headers', path: [], message }] } });
  if (input.ifMatch !== undefined && input.ifNoneMatch !== undefined)
    throw badHeader('Send either If-Match (replace that version) or If-None-Match: * (create only), not both.');
  if (input.ifNoneMatch !== undefined && input.ifNoneMatch.trim() !== '*')
    throw badHeader('Uploads take only If-None-Match: * (create the file only if nothing is at the path).');
  return { ifMatch: input.ifMatch, ifNoneMatch: input.ifNoneMatch !== undefined };
}

/** currentEtag is the ETag of the regular file `name` in `dir` now, or null when there is none (gone, a link, a folder). */
async function currentEtag(dir: Dir, name: string): Promise<string | null> {
  let handle: FileHandle;
  try {
    handle = await fs.open(dir.entry(name), READ_FLAGS);
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ELOOP')) return null;
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return null;
    return (await versionOf(handle)).etag;
  } finally {
    await handle.close();
  }
}

/** assertVersion refuses a conditional write (If-Match) to a file that changed since the caller read it. */
async function assertVersion(args: {
  dir: Dir;
  name: string;
  exists: boolean;
  ifMatch: string | undefined;
  input: UploadInput;
}): Promise<void> {
  const current = args.exists ? await currentEtag(args.dir, args.name) : null;
  if (args.ifMatch !== undefined && ifMatchAllows(args.ifMatch, current)) return;
  throw new AppError(
    'FILE_CHANGED',
    current === null
      ? `"${args.input.path}" was deleted or moved since you opened it. Save it under its name again without If-Match to create it anew, or reload the folder.`
      : `"${args.input.path}" changed since you opened it (it was saved from somewhere else meanwhile). Reload it to see the new content, or save again without If-Match to overwrite it on purpose.`,
  );
}

function alreadyThere(relPath: string): AppError {
  return fileExists(
    [relPath],
    `"${relPath}" already exists. Upload again without If-None-Match to replace it, or choose another name.`,
  );
}
