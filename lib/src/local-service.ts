/** @module Starts the local Custom Vision service when the lab uses it and it is not running yet. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { LabConfig } from './config';
import { stopProcessTree } from './process-tree';
import { LOCAL_SERVICE, PROJECT_ROOT } from './shared';

/** Whether the local service was already running or was started just now. */
export type ServiceState = 'running' | 'started';

/** The local service did not start: its process tree was stopped; `pid` is the process that led it. */
export class ServiceStartError extends Error {
  constructor(
    message: string,
    readonly pid: number | undefined,
  ) {
    super(message);
    this.name = 'ServiceStartError';
  }
}

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
  await startLocalService(config, options);
  return 'started';
}

/**
 * Starts the local service in the background with the package's own command, `npm run serve`, on the
 * configuration's host, port and keys, and waits until it answers. The process is detached (on POSIX
 * it leads its own process group, with the service under npm; on Windows it is the root of its
 * process tree) and logs to `.data/service.log`; it is returned so that a caller may stop it. If the
 * service does not answer within `timeoutInMs` (default 60 s), or npm cannot run or ends, stops that
 * group or tree and throws a `ServiceStartError`.
 */
export async function startLocalService(config: LabConfig, options: { timeoutInMs?: number } = {}): Promise<ChildProcess> {
  const log = path.join(PROJECT_ROOT, LOCAL_SERVICE.log);
  mkdirSync(path.dirname(log), { recursive: true });
  const output = openSync(log, 'a');
  const windows = process.platform === 'win32';
  let failure: Error | undefined;
  // npm is npm.cmd on Windows, which Node runs only through a shell, given as one command line. No
  // word of it carries a setting (they go in the environment), so nothing needs quoting for cmd.exe.
  const [command, args] = windows ? [`npm.cmd run ${LOCAL_SERVICE.script}`, []] : ['npm', ['run', LOCAL_SERVICE.script]];
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: serviceEnvironment(config),
    detached: true,
    shell: windows,
    windowsHide: true,
    stdio: ['ignore', output, output],
  });
  closeSync(output);
  child.on('error', (error) => (failure = error));
  child.unref();
  const deadline = Date.now() + (options.timeoutInMs ?? 60_000);
  while (Date.now() < deadline) {
    if ((await answers(config)) === 200) return child;
    if (failure || child.exitCode !== null || child.signalCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // Nothing may stay behind: npm may still be starting the service, or the service outlive npm.
  await stopProcessTree(child.pid);
  const cause = failure ? ` (could not run \`npm run ${LOCAL_SERVICE.script}\`: ${failure.message})` : '';
  throw new ServiceStartError(`The local service did not start at ${config.trainingEndpoint}${cause}: see ${log}.`, child.pid);
}

/** The service's settings as its CVLAB_* variables, on top of this process's environment. */
function serviceEnvironment(config: LabConfig): NodeJS.ProcessEnv {
  const url = new URL(config.trainingEndpoint);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CVLAB_HOST: url.hostname,
    CVLAB_PORT: url.port || '80',
    CVLAB_TRAINING_KEY: config.trainingKey,
    CVLAB_PREDICTION_KEY: config.predictionKey,
    // The lab predicts image URLs served by the service itself (on loopback); it listens on loopback only.
    CVLAB_ALLOW_PRIVATE_URLS: '1',
  };
  // npm and the service run on the Node.js that runs this kernel: its folder goes first on the PATH
  // (which Windows may spell Path).
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  env[key] = [path.dirname(process.execPath), env[key]].filter(Boolean).join(path.delimiter);
  return env;
}
