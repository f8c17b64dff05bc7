/** @module Compiles lib/ into lib/dist, which the notebooks import as the package `cvlab`. */
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { runCommand } from '../process/run-command';

export async function buildLib(): Promise<void> {
  await runCommand(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(PROJECT_ROOT, 'lib')], { output: 'inherit', check: true });
}
