/** @module Runs the local Custom Vision service as a real child process on a free port, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../datasets/env';
import { watchChild } from './watched-child';

export const TRAINING_KEY = 'test-training-key';
export const PREDICTION_KEY = 'test-prediction-key';

export interface ServiceProcess {
  url: string;
  dataDir: string;
  pid: number | undefined;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cvlab-service-'));
}

/** `resources`: a resources file, whose keys replace the test keys. */
export async function startServiceProcess(
  options: { dataDir?: string; extraArgs?: string[]; allowPrivateUrls?: boolean; resources?: string } = {},
): Promise<ServiceProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'main.ts'),
      '--port', '0', '--data-dir', dataDir,
      ...(options.resources ? ['--resources', options.resources] : ['--training-key', TRAINING_KEY, '--prediction-key', PREDICTION_KEY]),
      ...(options.allowPrivateUrls === false ? [] : ['--allow-private-urls']),
      ...(options.extraArgs ?? []),
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const watched = watchChild(child);
  const [, url] = await watched.waitFor(/listening on (http:\/\/\S+)/, 'the service', 60_000);

  return {
    url: url as string,
    dataDir,
    pid: child.pid,
    output: watched.output,
    async stop() {
      child.kill('SIGTERM');
      return watched.exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await watched.exited;
    },
  };
}
