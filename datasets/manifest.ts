/** Reads and validates the asset manifest (path, bytes, sha256, source_url; tab-separated). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One file the project needs, as recorded in datasets/manifest.tsv. */
export interface ManifestEntry {
  /** Relative POSIX path inside the assets folder (and inside a mirror). */
  path: string;
  bytes: number;
  /** Lower-case hex sha256 of the file content. */
  sha256: string;
  sourceUrl: string;
}

/** The project's own record of its assets. */
export const DEFAULT_MANIFEST: string = path.join(__dirname, 'manifest.tsv');

const HEADER = ['path', 'bytes', 'sha256', 'source_url'];

// Manifest paths are joined onto the target folder, so anything that could escape it is refused.
function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Parses manifest text; throws naming the line on any malformed row. */
export function parseManifest(text: string, source = 'manifest'): ManifestEntry[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.split('\t').join(',') !== HEADER.join(',')) {
    throw new Error(`${source}: line 1 must be the header "${HEADER.join('\\t')}"`);
  }
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source}:${i + 2}`;
    const cols = line.split('\t');
    if (cols.length !== 4) throw new Error(`${where}: expected 4 tab-separated columns, got ${cols.length}`);
    const [p, bytes, sha256, sourceUrl] = cols as [string, string, string, string];
    if (!isSafeRelativePath(p)) throw new Error(`${where}: unsafe path "${p}"`);
    if (seen.has(p)) throw new Error(`${where}: duplicate path "${p}"`);
    if (!/^\d+$/.test(bytes)) throw new Error(`${where}: bytes "${bytes}" is not a whole number`);
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`${where}: sha256 "${sha256}" is not 64 lower-case hex digits`);
    if (!/^https?:\/\//.test(sourceUrl)) throw new Error(`${where}: source_url "${sourceUrl}" is not an http(s) URL`);
    seen.add(p);
    entries.push({ path: p, bytes: Number(bytes), sha256, sourceUrl });
  });
  return entries;
}

/** Reads a manifest file (default: datasets/manifest.tsv). */
export function readManifest(file: string = DEFAULT_MANIFEST): ManifestEntry[] {
  return parseManifest(fs.readFileSync(file, 'utf8'), file);
}
