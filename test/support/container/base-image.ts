/**
 * @module The base image the exported Docker packages are built `FROM` in tests (their `ARG
 * BASE_IMAGE`): made here from Debian's packages, since no image registry is reachable. Debian
 * bookworm's own `nodejs` is 18 (below the project's `engines.node`), so this machine's Node binary
 * is copied in. The image is labelled with its recipe and rebuilt when the recipe changes (say,
 * Node was upgraded); the rootfs tarball is cached, so an import after `podman rmi` skips debootstrap.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { debianMirror, hostRelease } from './debian-release';
import { acquireLock, type LogFn } from './file-lock';
import { buildRootfsTarball } from './rootfs';
import { containerCommand, type ContainerRuntime } from './runtime';

export const BASE_IMAGE = 'localhost/cvlab-node-base:latest';
/** Cache for debootstrap's .deb files and the rootfs tarball: outside the repo, kept across reboots. */
const CACHE_DIR = process.env.CVLAB_CONTAINER_CACHE ?? path.join(path.sep, 'var', 'tmp', 'cvlab-container-base');
/** Packages on top of debootstrap's minbase: ca-certificates; libstdc++6 for Node, sharp and onnxruntime. */
const BASE_PACKAGES = ['ca-certificates', 'libstdc++6'];
/** Bump when the recipe changes, so existing base images are rebuilt. */
const RECIPE_VERSION = 1;

interface Recipe {
  suite: string;
  nodeBinary: string;
  nodeVersion: string;
  /** Hash of the above: the image's label and the tarball's name. */
  key: string;
}

function currentRecipe(): Recipe {
  const suite = hostRelease().codename;
  const nodeBinary = realpathSync(process.execPath);
  const nodeVersion = process.version;
  const key = createHash('sha256')
    .update(JSON.stringify({ v: RECIPE_VERSION, suite, node: 'host', nodeVersion, packages: BASE_PACKAGES }))
    .digest('hex')
    .slice(0, 16);
  return { suite, nodeBinary, nodeVersion, key };
}

/** `podman image inspect --format <format>`'s answer, or undefined when there is no such image. */
async function inspectImage(runtime: ContainerRuntime, image: string, format: string): Promise<string | undefined> {
  const inspected = await containerCommand(runtime, ['image', 'inspect', '--format', format, image], { timeoutMs: 60_000 });
  const value = inspected.stdout.trim();
  return inspected.code === 0 && value !== '<no value>' ? value : undefined;
}

/** Whether the base image exists, built from the current recipe. */
export async function baseImageIsCurrent(runtime: ContainerRuntime): Promise<boolean> {
  let key: string;
  try {
    key = currentRecipe().key;
  } catch {
    return false; // no Debian release to bootstrap: host.ts says so
  }
  return (await inspectImage(runtime, BASE_IMAGE, '{{index .Config.Labels "cvlab.base.key"}}')) === key;
}

async function importTarball(runtime: ContainerRuntime, tarball: string, recipe: Recipe, log: LogFn): Promise<void> {
  const previous = await inspectImage(runtime, BASE_IMAGE, '{{.Id}}');
  const started = Date.now();
  const labels = { 'cvlab.base.key': recipe.key, 'cvlab.base.suite': recipe.suite, 'cvlab.base.node': recipe.nodeVersion };
  const changes = [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...Object.entries(labels).map(([label, value]) => `LABEL ${label}=${value}`),
    'CMD ["node"]',
  ];
  await containerCommand(runtime, ['import', ...changes.flatMap((change) => ['--change', change]), tarball, BASE_IMAGE], { check: true, timeoutMs: 600_000 });
  const size = Number(await inspectImage(runtime, BASE_IMAGE, '{{.Size}}'));
  log(`imported ${BASE_IMAGE} in ${Date.now() - started} ms (${(size / 1e6).toFixed(0)} MB)`);
  // The replaced image is now untagged: drop it, unless images built FROM it still use it (then rmi fails, harmlessly).
  if (previous !== undefined && previous !== (await inspectImage(runtime, BASE_IMAGE, '{{.Id}}'))) {
    await containerCommand(runtime, ['rmi', previous], { timeoutMs: 120_000 });
  }
}

/**
 * Makes sure the base image exists with the current recipe and returns its name; builds the rootfs
 * (root and debootstrap needed) only when its tarball is not cached. Serialised across processes
 * by a lock folder in the cache.
 */
export async function ensureBaseImage(runtime: ContainerRuntime, log: LogFn): Promise<string> {
  if (await baseImageIsCurrent(runtime)) {
    log(`base image ${BASE_IMAGE} exists (recipe ${currentRecipe().key}): reused`);
    return BASE_IMAGE;
  }
  await mkdir(CACHE_DIR, { recursive: true });
  const release = await acquireLock(path.join(CACHE_DIR, 'lock'), log);
  try {
    // Another process may have built it while this one waited for the lock.
    if (await baseImageIsCurrent(runtime)) return BASE_IMAGE;
    const recipe = currentRecipe();
    const stem = `base-${BASE_IMAGE.replace(/[^A-Za-z0-9_.-]+/g, '_')}-`;
    const tarball = path.join(CACHE_DIR, `${stem}${recipe.key}.tar`);
    if (existsSync(tarball)) {
      log(`rootfs tarball cached: ${tarball}`);
    } else {
      const { suite, nodeBinary } = recipe;
      await buildRootfsTarball({ tarball, cacheDir: CACHE_DIR, suite, mirror: debianMirror(suite), packages: BASE_PACKAGES, nodeBinary, log });
      // Keep only the current tarball.
      for (const file of await readdir(CACHE_DIR)) {
        if (file.startsWith(stem) && /-[0-9a-f]{16}\.tar$/.test(file) && file !== path.basename(tarball)) await rm(path.join(CACHE_DIR, file), { force: true });
      }
    }
    await importTarball(runtime, tarball, recipe, log);
    return BASE_IMAGE;
  } finally {
    await release();
  }
}
