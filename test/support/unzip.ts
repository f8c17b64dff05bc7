/** @module Unzips a package into a folder, keeping Unix file modes (as `unzip` would). */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';

export async function unzipTo(zipBytes: Buffer, folder: string): Promise<string[]> {
  const zip = await JSZip.loadAsync(zipBytes);
  const names: string[] = [];
  for (const entry of Object.values(zip.files)) {
    const target = path.join(folder, entry.name);
    if (!target.startsWith(folder)) throw new Error(`zip entry escapes the folder: ${entry.name}`);
    if (entry.dir) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, await entry.async('nodebuffer'));
    const mode = typeof entry.unixPermissions === 'number' ? entry.unixPermissions & 0o777 : 0;
    if (mode) chmodSync(target, mode);
    names.push(entry.name);
  }
  return names;
}
