/** @module Starting worker threads from this folder's modules, from TypeScript sources (tsx) or compiled JavaScript alike. */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Workers do not inherit tsx's loader: register it first when running from sources. */
export function spawnWorker(moduleName: string, workerData: unknown): Worker {
  const modulePath = path.join(__dirname, moduleName);
  if (__filename.endsWith('.ts')) {
    const bootstrap = `require('tsx/cjs'); require(${JSON.stringify(`${modulePath}.ts`)});`;
    return new Worker(bootstrap, { eval: true, workerData });
  }
  return new Worker(`${modulePath}.js`, { workerData });
}
