/** The assets mirror named by the environment; the project root and the assets folder are lib/src/shared.ts's. */
import { assetsDir, fromProjectRoot, PROJECT_ROOT } from '../lib/src/shared';

export { assetsDir, PROJECT_ROOT };

/** Local mirror laid out like the manifest paths ($CVLAB_ASSETS_MIRROR), or undefined to download. */
export function mirrorDir(): string | undefined {
  const dir = process.env.CVLAB_ASSETS_MIRROR;
  return dir ? fromProjectRoot(dir) : undefined;
}
