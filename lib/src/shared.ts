/**
 * @module The facts the lab's two sides share, each defined once: where the project and its assets
 * are on disk, and the local Custom Vision service's defaults and the command that starts it.
 *
 * Why here: lib/ is compiled by tsc (rootDir lib/src) and runs as plain JavaScript in the notebook
 * kernel, so it can import nothing outside lib/src; server/, datasets/, scripts/, bench/ and test/
 * run as TypeScript through tsx and import this file by its relative path, as they already import
 * lib/src. It imports nothing of the project, so every arrow points into it: no package of its own,
 * and nothing to build before `npm run setup`, `serve`, `lab` or `test`.
 */
import path from 'node:path';

/** The project root: two folders above this file, whether it runs as lib/src/shared.ts (tsx) or lib/dist/shared.js. */
export const PROJECT_ROOT: string = path.resolve(__dirname, '..', '..');

/**
 * A path from the environment, resolved against the project root rather than the working folder, so
 * that `npm run`, the tests, the notebook kernel and services started from any folder agree on the
 * same place (CI's CVLAB_ASSETS_MIRROR=../shared/assets means beside the clone).
 */
export function fromProjectRoot(p: string): string {
  return path.resolve(PROJECT_ROOT, p);
}

/** Where `npm run setup` puts the images and the model: $CVLAB_ASSETS_DIR, else <root>/.assets (git-ignored). */
export function assetsDir(): string {
  const dir = process.env.CVLAB_ASSETS_DIR;
  return dir ? fromProjectRoot(dir) : path.join(PROJECT_ROOT, '.assets');
}

/** The lab's aerial land-use dataset: <assets>/datasets/aerial-small/{train,test}/<tag>/*.png. */
export function datasetDir(): string {
  return path.join(assetsDir(), 'datasets', 'aerial-small');
}

/** The local Custom Vision service: its defaults (flags and CVLAB_* variables change them) and how the lab starts it. */
export const LOCAL_SERVICE = {
  /** Loopback: only this machine can reach it. */
  host: '127.0.0.1',
  port: 5600,
  trainingKey: 'local-training-key',
  predictionKey: 'local-prediction-key',
  /** Its data folder, relative to the folder it starts in (the project root under `npm run serve`). */
  dataDir: path.join('.data', 'service'),
  /** The log of a service the lab starts in the background, relative to the project root. */
  log: path.join('.data', 'service.log'),
  /** The package's npm script that runs it: `npm run serve`. */
  script: 'serve',
} as const;
