import { FILE_EDIT_MAX_BYTES, type TFileEntry } from '@berth/contracts';

/** EditorLanguage is the highlighting the editor uses for a file, chosen by its extension. */
export type EditorLanguage = 'php' | 'javascript' | 'css' | 'html' | 'plain';

const LANGUAGES: Record<string, EditorLanguage> = {
  php: 'php',
  phtml: 'php',
  inc: 'php',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'javascript',
  tsx: 'javascript',
  json: 'javascript',
  css: 'css',
  html: 'html',
  htm: 'html',
};

/** TEXT_EXTENSIONS are the other files the editor opens (without highlighting). */
const TEXT_EXTENSIONS = new Set([
  'txt',
  'md',
  'xml',
  'svg',
  'ini',
  'conf',
  'yml',
  'yaml',
  'csv',
  'log',
  'sql',
  'py',
  'sh',
  'env',
  'htaccess',
  'twig',
  'scss',
  'less',
  'map',
]);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase();
}

/** languageOf picks the highlighting of a file by its extension. */
export function languageOf(name: string): EditorLanguage {
  return LANGUAGES[extensionOf(name)] ?? 'plain';
}

/** editableReason says why the editor will not open a file, or null when it will (a text file up to the size bound). */
export function editableReason(entry: TFileEntry): string | null {
  if (entry.type !== 'file') return 'Only files can be edited.';
  const ext = extensionOf(entry.name);
  if (!(ext in LANGUAGES) && !TEXT_EXTENSIONS.has(ext))
    return `${entry.name} does not look like a text file; download it to change it.`;
  if (entry.size > FILE_EDIT_MAX_BYTES)
    return `${entry.name} is larger than ${FILE_EDIT_MAX_BYTES / 1024 / 1024} MB; download it, or edit it over SFTP.`;
  return null;
}

/** isZip tells whether a file is a zip the panel can extract. */
export function isZip(entry: TFileEntry): boolean {
  return entry.type === 'file' && extensionOf(entry.name) === 'zip';
}

/** formatSize writes a byte count for people. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
