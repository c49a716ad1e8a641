// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TFileEntry } from '@berth/contracts';
import { renderWithProviders } from '../../test/render';
import { FileEditorModal } from './FileEditorModal';
import { MoveDialog } from './MoveDialog';
import { UploadControls } from './UploadControls';

// CodeMirror does not type in jsdom; the editor widget is a textarea here. What is under test is the save,
// conflict and close flow around it, against a stubbed panel API.
vi.mock('./CodeEditor', () => ({
  default: ({ value, label, onChange }: { value: string; label: string; onChange: (text: string) => void }) => (
    <textarea aria-label={label} defaultValue={value} key={value} onChange={(e) => onChange(e.currentTarget.value)} />
  ),
}));

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** stubFetch answers `METHOD /path` from a table (or a function of the request) and records the requests with their headers. */
function stubFetch(routes: Record<string, Answer | ((sent: Sent) => Answer)>): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const request: Sent = {
      method: init.method ?? 'GET',
      path: input.replace(/^\/api\/v1/, ''),
      headers: (init.headers ?? {}) as Record<string, string>,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : init.body,
    };
    sent.push(request);
    const route = routes[`${request.method} ${request.path}`];
    const answer =
      typeof route === 'function'
        ? route(request)
        : (route ?? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No route.' } } });
    const text =
      answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(text, { status: answer.status, headers: answer.headers });
  });
  return sent;
}

const conflict = (message: string): Answer => ({ status: 412, body: { error: { code: 'FILE_CHANGED', message } } });
const exists = (message: string): Answer => ({ status: 409, body: { error: { code: 'FILE_EXISTS', message } } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('FileEditorModal', () => {
  it('saves with If-Match, and on a conflict offers reload, overwrite or keep editing, never overwriting silently', async () => {
    let onDisk = '<?php echo 1;';
    let version = 1;
    const sent = stubFetch({
      'GET /sites/s1/files/index.php': () => ({ status: 200, body: onDisk, headers: { etag: `"v${version}"` } }),
      'PUT /sites/s1/files/index.php': (request) => {
        const ifMatch = request.headers['if-match'];
        if (ifMatch !== undefined && ifMatch !== `"v${version}"`)
          return conflict('"index.php" changed since you opened it. Reload it, or overwrite it on purpose.');
        version++;
        return { status: 201, body: { name: 'index.php' }, headers: { etag: `"v${version}"` } };
      },
    });
    const onClose = vi.fn();
    renderWithProviders(<FileEditorModal siteId="s1" path="index.php" onClose={onClose} />);
    const editor = await screen.findByLabelText('Content of index.php');
    expect((editor as HTMLTextAreaElement).value).toBe('<?php echo 1;');

    await userEvent.type(editor, ' // mine');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('All changes saved');
    const firstSave = sent.find((r) => r.method === 'PUT')!;
    expect(firstSave.headers['if-match']).toBe('"v1"');

    // Someone else saves the file meanwhile: the next save is refused and the editor asks.
    onDisk = '<?php echo "theirs";';
    version = 7;
    await userEvent.type(screen.getByLabelText('Content of index.php'), ' again');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/changed meanwhile/);
    expect(alert.textContent).toMatch(/nothing was saved/);
    expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(2);

    // Keep editing: nothing is sent, the text stays.
    await userEvent.click(within(alert).getByRole('button', { name: 'Keep editing' }));
    expect(screen.queryByText(/changed meanwhile/)).toBeNull();
    expect((screen.getByLabelText('Content of index.php') as HTMLTextAreaElement).value).toContain('again');

    // Save again: still a conflict; overwrite anyway sends no If-Match.
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Overwrite anyway' }));
    await screen.findByText('All changes saved');
    const overwrite = sent.filter((r) => r.method === 'PUT').at(-1)!;
    expect(overwrite.headers['if-match']).toBeUndefined();
    expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(4);
  });

  it('reloads the file on request, losing the changes, and asks before closing with unsaved changes', async () => {
    let onDisk = 'first';
    stubFetch({
      'GET /sites/s1/files/a.css': () => ({ status: 200, body: onDisk, headers: { etag: '"x"' } }),
      'PUT /sites/s1/files/a.css': conflict('"a.css" changed since you opened it.'),
    });
    const onClose = vi.fn();
    renderWithProviders(<FileEditorModal siteId="s1" path="a.css" onClose={onClose} />);
    await userEvent.type(await screen.findByLabelText('Content of a.css'), ' edited');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    onDisk = 'second';
    await screen.findByText(/changed meanwhile/);
    await userEvent.click(await screen.findByRole('button', { name: 'Reload (lose my changes)' }));
    await waitFor(() =>
      expect((screen.getByLabelText('Content of a.css') as HTMLTextAreaElement).value).toBe('second'),
    );
    expect(screen.getByText('All changes saved')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Content of a.css'), '!');
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).not.toHaveBeenCalled();
    await screen.findByText(/are not saved/);
    await userEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('refuses a file that is not text', async () => {
    stubFetch({ 'GET /sites/s1/files/logo.svg': { status: 200, body: 'a\u0000b', headers: { etag: '"b"' } } });
    renderWithProviders(<FileEditorModal siteId="s1" path="logo.svg" onClose={vi.fn()} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/not UTF-8 text/);
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
  });
});

describe('UploadControls', () => {
  it('uploads with If-None-Match: * and replaces an existing file only after asking', async () => {
    const sent = stubFetch({
      'PUT /sites/s1/files/docs/report.txt': (request) =>
        request.headers['if-none-match'] === '*'
          ? exists('"docs/report.txt" already exists.')
          : { status: 201, body: { name: 'report.txt', type: 'file', size: 5, modifiedAt: '', mode: '0644' } },
    });
    renderWithProviders(<UploadControls siteId="s1" dir="docs" />);
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    await userEvent.upload(input, new File(['hello'], 'report.txt', { type: 'text/plain' }));
    const dialog = await screen.findByRole('dialog', { name: 'Replace report.txt?' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers['if-none-match']).toBe('*');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Replace' }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]!.headers['if-none-match']).toBeUndefined();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('cancelling the question sends nothing more', async () => {
    const sent = stubFetch({ 'PUT /sites/s1/files/a.txt': exists('"a.txt" already exists.') });
    renderWithProviders(<UploadControls siteId="s1" dir="" />);
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    await userEvent.upload(input, new File(['x'], 'a.txt'));
    const dialog = await screen.findByRole('dialog', { name: 'Replace a.txt?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(sent).toHaveLength(1);
  });
});

describe('MoveDialog', () => {
  const entry: TFileEntry = { name: 'old.txt', type: 'file', size: 3, modifiedAt: '', mode: '0644' };

  it('moves to the new path, and replaces a taken name only when asked to', async () => {
    const sent = stubFetch({
      'PATCH /sites/s1/files/docs/old.txt': (request) =>
        (request.body as { overwrite?: boolean }).overwrite
          ? { status: 200, body: { ...entry, name: 'new.txt' } }
          : exists('"docs/new.txt" already exists; choose another name.'),
    });
    const onClose = vi.fn();
    renderWithProviders(<MoveDialog siteId="s1" target={{ entry, path: 'docs/old.txt' }} onClose={onClose} />);
    const field = screen.getByLabelText('New path', { exact: false });
    expect((field as HTMLInputElement).value).toBe('docs/old.txt');
    await userEvent.clear(field);
    await userEvent.type(field, 'docs/new.txt');
    await userEvent.click(screen.getByRole('button', { name: 'Move' }));
    await screen.findByText('That name is taken');
    expect(sent[0]!.body).toEqual({ to: 'docs/new.txt' });
    expect(onClose).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Replace the existing file' }));
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(sent[1]!.body).toEqual({ to: 'docs/new.txt', overwrite: true });
  });

  it('refuses a path with ".." at the field before sending', async () => {
    const sent = stubFetch({});
    renderWithProviders(<MoveDialog siteId="s1" target={{ entry, path: 'old.txt' }} onClose={vi.fn()} />);
    const field = screen.getByLabelText('New path', { exact: false });
    await userEvent.clear(field);
    await userEvent.type(field, '../outside.txt');
    expect((screen.getByRole('button', { name: 'Move' }) as HTMLButtonElement).disabled).toBe(true);
    expect(sent).toHaveLength(0);
  });
});
