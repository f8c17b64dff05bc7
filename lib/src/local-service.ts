/** @module Starts the local Custom Vision service when the lab uses it and it is not running yet. */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, type LabConfig } from './config';

export type ServiceState = 'running' | 'started';

async function answers(config: LabConfig): Promise<number | undefined> {
  try {
    const response = await fetch(`${config.trainingEndpoint}/customvision/v3.4-preview/training/domains`, {
      headers: { 'Training-Key': config.trainingKey },
      signal: AbortSignal.timeout(2000),
    });
    return response.status;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure the local service answers at the configured endpoint: if nothing listens there, starts
 * it in the background (it keeps running after the notebook's kernel stops; its log goes to
 * `.data/service.log`). Azure configurations are left alone.
 */
export async function ensureLocalService(config: LabConfig, options: { timeoutInMs?: number } = {}): Promise<ServiceState> {
  if (config.kind !== 'local') return 'running';
  const status = await answers(config);
  if (status === 200) return 'running';
  if (status === 401) throw new Error(`The service at ${config.trainingEndpoint} refuses the training key: set CVLAB_TRAINING_KEY to the key it was started with.`);
  if (status !== undefined) throw new Error(`Something else answers at ${config.trainingEndpoint} (HTTP ${status}): set CVLAB_LOCAL_ENDPOINT to another address.`);

  const url = new URL(config.trainingEndpoint);
  const dataDir = path.join(PROJECT_ROOT, '.data');
  mkdirSync(dataDir, { recursive: true });
  const log = openSync(path.join(dataDir, 'service.log'), 'a');
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'main.ts'),
      '--host', url.hostname, '--port', url.port || '80',
      '--training-key', config.trainingKey, '--prediction-key', config.predictionKey,
      // The lab predicts image URLs served by the service itself (on loopback); it listens on loopback only.
      '--allow-private-urls',
    ],
    { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  const deadline = Date.now() + (options.timeoutInMs ?? 60_000);
  while (Date.now() < deadline) {
    if ((await answers(config)) === 200) return 'started';
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The local service did not start at ${config.trainingEndpoint}: see ${path.join(dataDir, 'service.log')}.`);
}
