/** @module The files of the native runtime packages (onnxruntime-node, sharp) that a Linux x64 Docker package carries. */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface PackagedFile {
  /** Where the file goes in the package's app/ folder. */
  path: string;
  /** Where it is on this machine (streamed into the zip with its own mode, never held in memory). */
  source: string;
}

const NODE_MODULES = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), '..');

/** Package folders and the parts of them needed at run time on linux-x64. */
const RUNTIME: { name: string; include: (relative: string) => boolean }[] = [
  { name: 'onnxruntime-node', include: (f) => f === 'package.json' || f === 'LICENSE' || f.startsWith('dist/') || f.startsWith('bin/napi-v6/linux/x64/') },
  { name: 'onnxruntime-common', include: (f) => f === 'package.json' || f === 'LICENSE' || f.startsWith('dist/cjs/') },
  { name: 'sharp', include: (f) => f === 'package.json' || f === 'LICENSE' || f.startsWith('lib/') },
  { name: '@img/sharp-linux-x64', include: () => true },
  { name: '@img/sharp-libvips-linux-x64', include: () => true },
  { name: '@img/colour', include: () => true },
  { name: 'detect-libc', include: () => true },
  { name: 'semver', include: (f) => !f.startsWith('bin/') },
];

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return walk(path.join(dir, entry.name), relative);
    return entry.isFile() ? [relative] : [];
  });
}

/** Every runtime file under `node_modules/...`, listed once per process (they do not change while it runs). */
let cached: PackagedFile[] | undefined;
export function runtimeFiles(): PackagedFile[] {
  cached ??= RUNTIME.flatMap(({ name, include }) => {
    const root = path.join(NODE_MODULES, name);
    return walk(root)
      .filter(include)
      .map((relative) => ({ path: `node_modules/${name}/${relative}`, source: path.join(root, relative) }));
  });
  return cached;
}
