/**
 * @module `npm run lab`: provisions the assets, builds the `cvlab` package, starts the local Custom
 * Vision service (unless Azure is configured), registers the tslab kernel and opens Jupyter on
 * notebooks/ (see lab/open-jupyter.ts).
 *
 * `npm run lab -- --execute [--out <folder>]` runs the three notebooks headless against the service
 * instead, writing the executed notebooks and their HTML to the folder (default out/lab).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { provisionAssets } from '../datasets/provision';
import { loadConfig } from '../lib/src/config';
import { ensureLocalService } from '../lib/src/local-service';
import { PROJECT_ROOT } from '../lib/src/shared';
import { ensureTslabKernel } from './jupyter/tslab-kernel';
import { buildLib } from './lab/build-lib';
import { executeLabNotebooks } from './lab/notebooks';
import { openJupyter } from './lab/open-jupyter';
import { runMain } from './process/run-main';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { execute: { type: 'boolean' }, out: { type: 'string' } } });
  await provisionAssets({ progress: process.stdout.isTTY });
  await buildLib();
  const config = loadConfig();
  if (config.kind === 'local') {
    const state = await ensureLocalService(config);
    console.log(`Local Custom Vision service ${state === 'started' ? 'started' : 'already running'} at ${config.trainingEndpoint} (log: .data/service.log).`);
    console.log(`Web portal (projects, images, training, performance, publish, export): ${new URL(config.trainingEndpoint).origin}/ (sign in with the training key).`);
  } else {
    console.log(`Using Azure Custom Vision at ${config.trainingEndpoint}.`);
  }
  if (values.execute) {
    await ensureTslabKernel();
    const failed = await executeLabNotebooks({ outDir: path.resolve(PROJECT_ROOT, values.out ?? path.join('out', 'lab')) });
    return failed === 0 ? 0 : 1;
  }
  return (await openJupyter()) ?? 1;
}

if (require.main === module) runMain(main);
