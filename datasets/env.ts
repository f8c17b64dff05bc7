/** Locations of the project root, the assets folder and the optional assets mirror (env overrides). */
import * as path from 'node:path';

/** The project root: this file lives in <root>/datasets. */
export const PROJECT_ROOT: string = path.resolve(__dirname, '..');

// Env paths resolve against the project root, not cwd, so `npm run`, tests and servers started
// from any folder agree on the same place (CI's "../shared/assets" means beside the clone).
function fromRoot(p: string): string {
  return path.resolve(PROJECT_ROOT, p);
}

/** Target folder for provisioned assets: $CVLAB_ASSETS_DIR or <root>/.assets (git-ignored). */
export function assetsDir(): string {
  const dir = process.env.CVLAB_ASSETS_DIR;
  return dir ? fromRoot(dir) : path.join(PROJECT_ROOT, '.assets');
}

/** Local mirror laid out like the manifest paths ($CVLAB_ASSETS_MIRROR), or undefined to download. */
export function mirrorDir(): string | undefined {
  const dir = process.env.CVLAB_ASSETS_MIRROR;
  return dir ? fromRoot(dir) : undefined;
}
