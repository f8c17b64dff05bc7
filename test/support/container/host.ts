/**
 * @module What the container test needs, each found on this machine or named as missing:
 * 1. a container CLI that works: podman, else a reachable Docker engine (runtime.ts);
 * 2. the base image, or what makes it: Linux, root, debootstrap, chroot, tar and umount on PATH,
 *    a Debian or Ubuntu release named in /etc/os-release, and its apt mirror (base-image.ts);
 * 3. an OCI runtime that starts a container on this kernel and cgroup set-up, on the host's network
 *    and within the tests' resource limits: podman's default one, else runc or crun, whichever starts.
 * Debian packages for all of it: scripts/apt-packages-container.txt.
 */
import { findExecutable } from '../../../scripts/process/find-executable';
import { baseImageIsCurrent, BASE_IMAGE, ensureBaseImage } from './base-image';
import { runOnce } from './containers';
import { hostRelease } from './debian-release';
import type { LogFn } from './file-lock';
import { CONTAINER_PACKAGES, findContainerRuntime, lastLines, type ContainerRuntime, type Found } from './runtime';

export interface ContainerHost {
  runtime: ContainerRuntime;
  /** The image exported Docker packages are built FROM. */
  baseImage: string;
}

/** The programs that build the base image, with the Debian package of each. */
const BUILD_TOOLS: Record<string, string> = { debootstrap: 'debootstrap', chroot: 'coreutils', tar: 'tar', umount: 'mount' };

/** What building the base image needs and this machine lacks (empty when it can build it). */
async function baseImageBuildLacks(): Promise<string[]> {
  if (process.platform !== 'linux') return [`Linux (this is ${process.platform})`];
  const lacks: string[] = [];
  const uid = process.getuid?.();
  if (uid !== 0) lacks.push(`root, for debootstrap and chroot (running as uid ${uid})`);
  for (const [tool, pkg] of Object.entries(BUILD_TOOLS)) {
    if ((await findExecutable(tool)) === undefined) lacks.push(`${tool} on PATH (apt-get install ${pkg})`);
  }
  try {
    hostRelease();
  } catch (error) {
    lacks.push(`a Debian or Ubuntu release to bootstrap: ${(error as Error).message}`);
  }
  return lacks;
}

/** The runtime, with another OCI runtime if podman's default cannot start a container here; or why none can. */
async function runtimeThatStarts(runtime: ContainerRuntime, image: string): Promise<Found<ContainerRuntime>> {
  const probe = ['node', '-e', 'process.exit(0)'];
  const candidates = [runtime];
  if (runtime.kind === 'podman') {
    for (const oci of ['runc', 'crun'].filter((name) => name !== runtime.ociRuntime)) {
      candidates.push({ ...runtime, globalFlags: [...runtime.globalFlags, '--runtime', oci], ociRuntime: oci, description: `${runtime.description}, run with --runtime ${oci}` });
    }
  }
  const failures: string[] = [];
  for (const candidate of candidates) {
    const started = await runOnce(candidate, image, probe);
    if (started.code === 0) return { found: candidate };
    failures.push(`OCI runtime ${candidate.ociRuntime ?? 'default'}: ${lastLines(started)}`);
  }
  return { missing: `${runtime.description} cannot start a container here (kernel, cgroup or resource-limit restrictions): ${failures.join('; ')}` };
}

/** Finds what the container test needs, making the base image if need be; or says exactly what is missing. */
export async function prepareContainerHost(log: LogFn): Promise<Found<ContainerHost>> {
  const runtime = await findContainerRuntime();
  if ('missing' in runtime) return runtime;
  log(`container runtime: ${runtime.found.description}`);
  if (!(await baseImageIsCurrent(runtime.found))) {
    const lacks = await baseImageBuildLacks();
    if (lacks.length > 0) return { missing: `building the base image ${BASE_IMAGE} needs ${lacks.join('; ')}. See ${CONTAINER_PACKAGES}.` };
  }
  const baseImage = await ensureBaseImage(runtime.found, log);
  const starting = await runtimeThatStarts(runtime.found, baseImage);
  if ('missing' in starting) return starting;
  return { found: { runtime: starting.found, baseImage } };
}
