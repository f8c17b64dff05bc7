/**
 * @module Building images and running containers for tests, never pulling from a registry and
 * always on the host's network (`--network host`: a test calls the server on 127.0.0.1:PORT, and
 * no bridge, iptables chains or ip_forward are set up on the host; builds get `--network none`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandError, outputTail, type CommandResult } from '../../../scripts/process/run-command';
import type { LogFn } from './file-lock';
import { containerCommand, type ContainerRuntime } from './runtime';

/**
 * Open files and processes for every build and container: podman's defaults (1048576 files) exceed
 * the hard limits of sandboxes and CI machines, where runc then fails with "error setting rlimit
 * ...: operation not permitted"; these are below any machine's hard limits and enough for the server.
 */
const RESOURCE_LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

/** Builds `contextDir` (its Dockerfile) as `tag` from local images only; throws with the build output on failure. */
export async function buildImage(runtime: ContainerRuntime, contextDir: string, tag: string, buildArgs: Record<string, string>, log?: LogFn): Promise<void> {
  const args = [
    'build',
    ...(runtime.kind === 'podman' ? ['--pull=never'] : []),
    '--network', 'none',
    ...RESOURCE_LIMITS,
    ...Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
    '-t', tag,
    contextDir,
  ];
  const built = await containerCommand(runtime, args, { timeoutMs: 900_000, ...(log ? { onLine: log } : {}) });
  if (built.code !== 0) throw new CommandError({ ...built, stderr: `${built.stdout}\n${built.stderr}` });
}

/** Runs `command` in a new container of `image` and removes it: whether containers start here at all. */
export function runOnce(runtime: ContainerRuntime, image: string, command: string[]): Promise<CommandResult> {
  return containerCommand(runtime, ['run', '--rm', '--network', 'host', ...RESOURCE_LIMITS, image, ...command], { timeoutMs: 120_000 });
}

export interface RunningContainer {
  runtime: ContainerRuntime;
  name: string;
  /** `http://127.0.0.1:<port>`: the server in the container, on the host's network. */
  url: string;
}

/** Starts `image` detached as `name` (replacing an old container of that name), its server told to listen on `port`. */
export async function runContainer(runtime: ContainerRuntime, image: string, options: { name: string; port: number }): Promise<RunningContainer> {
  await containerCommand(runtime, ['rm', '-f', options.name], { timeoutMs: 60_000 });
  const args = ['run', '-d', '--name', options.name, '--network', 'host', ...RESOURCE_LIMITS, '-e', `PORT=${options.port}`, image];
  await containerCommand(runtime, args, { check: true, timeoutMs: 120_000 });
  return { runtime, name: options.name, url: `http://127.0.0.1:${options.port}` };
}

/** Waits until the container's log matches `pattern`; fails early, with the log, if the container stops. */
export async function waitForLog(container: RunningContainer, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const logs = await containerCommand(container.runtime, ['logs', container.name], { timeoutMs: 60_000 });
    const log = logs.stdout + logs.stderr;
    const match = pattern.exec(log);
    if (match) return match;
    const state = await containerCommand(container.runtime, ['inspect', '--format', '{{.State.Status}}', container.name], { timeoutMs: 60_000 });
    const status = state.stdout.trim();
    if (state.code !== 0 || !['running', 'created', 'configured'].includes(status)) {
      throw new Error(`container ${container.name} is ${status || 'gone'} before logging ${pattern}:\n${outputTail(log)}`);
    }
    if (Date.now() > deadline) throw new Error(`container ${container.name} did not log ${pattern} within ${timeoutMs} ms:\n${outputTail(log)}`);
    await sleep(100);
  }
}

/** Stops and removes a container (no error if it is gone); Node as PID 1 may ignore SIGTERM, so it is killed after 2 s. */
export async function stopContainer(runtime: ContainerRuntime, name: string): Promise<void> {
  await containerCommand(runtime, ['stop', '-t', '2', name], { timeoutMs: 120_000 });
  await containerCommand(runtime, ['rm', '-f', name], { timeoutMs: 120_000 });
}

/** Removes an image (no error if it is gone); its base image stays. */
export async function removeImage(runtime: ContainerRuntime, image: string): Promise<void> {
  await containerCommand(runtime, ['rmi', '-f', image], { timeoutMs: 120_000 });
}
