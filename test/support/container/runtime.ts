/**
 * @module Which container CLI works here and the global flags it needs on this host: podman (any
 * machine where `podman info` succeeds), else a reachable Docker engine. CVLAB_CONTAINER_RUNTIME=
 * none|podman|docker forces the choice (`none` turns the container tests off).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCommand, type CommandResult, type RunOptions } from '../../../scripts/process/run-command';

export type RuntimeKind = 'podman' | 'docker';

export interface ContainerRuntime {
  kind: RuntimeKind;
  version: string;
  /** Flags before every subcommand (podman's cgroup manager and OCI runtime, where this host needs other than the defaults). */
  globalFlags: string[];
  /** What was found, for the test's diagnostics: version, OCI runtime, cgroups, rootless or not. */
  description: string;
  /** Podman's OCI runtime (`runc`, `crun`). */
  ociRuntime?: string;
}

export type Found<T> = { found: T } | { missing: string };

/** The Debian packages that make containers work here, for messages. */
export const CONTAINER_PACKAGES = path.join('scripts', 'apt-packages-container.txt');

/** Runs the runtime's CLI with its global flags. */
export function containerCommand(runtime: ContainerRuntime, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return runCommand(runtime.kind, [...runtime.globalFlags, ...args], options);
}

/** The last lines a failed command printed, on one line, for messages. */
export function lastLines(result: CommandResult): string {
  return (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ');
}

/** Whether systemd manages this machine (sd_booted's test); without it podman must manage cgroups itself. */
function systemdRuns(): boolean {
  return existsSync(path.join(path.sep, 'run', 'systemd', 'system'));
}

interface PodmanInfo {
  version: { Version: string };
  host: { cgroupManager: string; cgroupVersion: string; ociRuntime: { name: string }; security: { rootless: boolean } };
}

async function findPodman(): Promise<Found<ContainerRuntime>> {
  // Podman's packaged configuration names systemd as the cgroup manager; where systemd does not run, use cgroupfs.
  const globalFlags = systemdRuns() ? [] : ['--cgroup-manager=cgroupfs'];
  const info = await runCommand('podman', [...globalFlags, 'info', '--format', 'json'], { timeoutMs: 60_000 });
  if (info.code === 127) return { missing: 'podman is not installed' };
  if (info.code !== 0) return { missing: `podman info failed: ${lastLines(info)}` };
  const { version, host } = JSON.parse(info.stdout) as PodmanInfo;
  const mode = host.security.rootless ? 'rootless' : 'rootful';
  const description = `podman ${version.Version} (${mode}, OCI runtime ${host.ociRuntime.name}, cgroups ${host.cgroupVersion} managed by ${host.cgroupManager})`;
  return { found: { kind: 'podman', version: version.Version, globalFlags, description, ociRuntime: host.ociRuntime.name } };
}

async function findDocker(): Promise<Found<ContainerRuntime>> {
  const info = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
  const version = info.stdout.trim();
  if (info.code === 0 && version !== '' && !version.includes('<no value>')) {
    return { found: { kind: 'docker', version, globalFlags: [], description: `Docker engine ${version}` } };
  }
  return { missing: info.code === 127 ? 'docker is not installed' : `no Docker engine reachable (docker info: ${lastLines(info)})` };
}

/** The container CLI to use, or what is missing. */
export async function findContainerRuntime(): Promise<Found<ContainerRuntime>> {
  const forced = process.env.CVLAB_CONTAINER_RUNTIME ?? '';
  if (forced === 'none') return { missing: 'container tests turned off by CVLAB_CONTAINER_RUNTIME=none' };
  const reasons: string[] = [];
  for (const [kind, find] of [['podman', findPodman], ['docker', findDocker]] as const) {
    if (forced !== '' && forced !== kind) continue;
    const result = await find();
    if ('found' in result) return result;
    reasons.push(result.missing);
  }
  return { missing: `no container runtime: ${reasons.join('; ')}. Install the Debian packages in ${CONTAINER_PACKAGES} (as root).` };
}
