/** @module Finding a program as a shell would: the first executable of that name in a list of folders, PATH by default. */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/** The folders on PATH, in order. */
export function pathDirs(): string[] {
  return (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
}

/** The names `name` may have on disk: on Windows also with each PATHEXT extension (`jupyter.exe`, `tslab.cmd`). */
function fileNames(name: string): string[] {
  if (process.platform !== 'win32') return [name];
  const extensions = (process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((ext) => ext !== '');
  return [name, ...extensions.map((ext) => name + ext.toLowerCase())];
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` in `dirs` (default: PATH), or undefined. */
export async function findExecutable(name: string, dirs: readonly string[] = pathDirs()): Promise<string | undefined> {
  for (const dir of dirs) {
    for (const file of fileNames(name)) {
      const candidate = path.join(dir, file);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}
