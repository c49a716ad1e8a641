import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSession, CHROMIUM_ARGS, PanelProcess, REPO_ROOT } from './panel';

// The file manager in real Chromium against the real built panel, with its edge: the account owner edits
// index.php in the browser's editor and the edge serves the change; then uploads a zip, extracts it, and
// the extracted files (static and PHP) are served.

const ADMIN = { email: 'admin@berth.localhost', password: 'admin-password-e2e-1' };
const OWNER = { email: 'owner@files.test', password: 'owner-password-e2e-1' };
const HOST = 'files.acme.test';
const SHOTS = path.join(REPO_ROOT, 'test-results/files');

/** storedZip writes a zip without compression (enough for a test, and readable by any tool). */
function storedZip(entries: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [entryName, content] of Object.entries(entries)) {
    const name = Buffer.from(entryName, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, data);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x800, 8);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

let panel: PanelProcess;
let context: BrowserContext;
let page: Page;
let profile = '';
let siteId = '';
let tenantId = '';

async function served(pathname: string, text: string): Promise<void> {
  await panel.waitFor(
    `${HOST}${pathname} serves ${text}`,
    async () => {
      const res = await panel.https(HOST, pathname);
      return res.status === 200 && res.body.includes(text);
    },
    60_000,
  );
}

describe('the file manager in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    panel = await PanelProcess.start({ BERTH_LOG_LEVEL: 'warn' }, { admin: ADMIN });
    const tenant = await panel.api<{ id: string }>('POST', '/tenants', { slug: 'files', name: 'Files', owner: OWNER });
    expect(tenant.status).toBe(201);
    tenantId = tenant.body.id;
    const owner = await apiSession(panel.url, OWNER.email, OWNER.password);
    const created = await owner('POST', '/sites', { name: 'shop', runtime: { kind: 'php', version: '8.4' } });
    expect(created.status).toBe(201);
    siteId = (created.data as { id: string }).id;
    expect((await owner('POST', `/sites/${siteId}/domains`, { hostname: HOST })).status).toBe(201);
    await panel.waitFor(
      'the site live',
      async () => (await panel.api<{ status: string }>('GET', `/sites/${siteId}`)).body.status === 'live',
      180_000,
    );
    await served('/', 'This site runs PHP 8.4.');

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-files-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    if (panel) {
      try {
        if (tenantId) {
          await panel.api('DELETE', `/tenants/${tenantId}`);
          await panel.waitFor(
            'the tenant removed',
            async () =>
              (await panel.api<{ total: number }>('GET', `/events?tenantId=${tenantId}&action=tenant.runtime-remove`))
                .body.total > 0,
            60_000,
          );
        }
      } finally {
        await panel.stop();
      }
    }
  }, 120_000);

  it('the owner edits index.php in the browser and the edge serves the change', async () => {
    await page.goto(`${panel.url}/login`);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.goto(`${panel.url}/sites/${siteId}`);
    await page.getByRole('tab', { name: 'Files' }).click();

    await page.getByRole('button', { name: 'Actions for index.php' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit index.php' });
    const editor = dialog.getByRole('textbox', { name: 'Content of index.php' });
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('<?php echo "Edited in the browser: " . (6 * 7);\n');
    await dialog.getByText('Unsaved changes').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'editor.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('All changes saved').waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await served('/', 'Edited in the browser: 42');
  });

  it('uploads a zip, extracts it, and the extracted files are served', async () => {
    const zip = storedZip({
      'landing/hello.html': '<!doctype html><p>Hello from the zip</p>',
      'landing/sum.php': '<?php echo "sum=" . (20 + 22);',
    });
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload zip and extract' }).click(),
    ]);
    await chooser.setFiles({ name: 'landing.zip', mimeType: 'application/zip', buffer: zip });
    await page.getByText('Extracted 2 file(s)', { exact: false }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'landing/' }).waitFor();
    // The zip was deleted once extracted.
    expect(await page.getByRole('link', { name: 'landing.zip' }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'extracted.png'), fullPage: true });

    await served('/landing/hello.html', 'Hello from the zip');
    await served('/landing/sum.php', 'sum=42');

    // The row actions stay reachable on a phone.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.getByRole('button', { name: 'Actions for landing' }).click();
    await page.getByRole('menuitem', { name: 'Download as zip' }).waitFor();
    await page.keyboard.press('Escape');
    await page.screenshot({ path: path.join(SHOTS, 'files-375.png'), fullPage: true });
  });
});
