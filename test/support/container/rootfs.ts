/**
 * @module The base image's root file system as a tarball: debootstrap `--variant=minbase` of a Debian
 * suite, trimmed, with this machine's Node binary added and checked by running it in a chroot.
 * Needs root, debootstrap, chroot, tar and umount (host.ts checks them first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CommandError, outputTail, runCommand } from '../../../scripts/process/run-command';
import type { LogFn } from './file-lock';
import { lastLines } from './runtime';

export interface RootfsRecipe {
  /** The tarball to write. */
  tarball: string;
  /** Where debootstrap's .deb files are cached, and the build folder is made. */
  cacheDir: string;
  suite: string;
  mirror: string;
  /** Debian packages on top of minbase. */
  packages: string[];
  /** The Node binary copied to /usr/local/bin/node. */
  nodeBinary: string;
  log: LogFn;
}

/** Folders emptied to keep the image small: package lists, the .deb cache, docs, man pages and translations. */
const TRIMMED = [
  ['var', 'cache', 'apt', 'archives'],
  ['var', 'lib', 'apt', 'lists'],
  ['usr', 'share', 'doc'],
  ['usr', 'share', 'man'],
  ['usr', 'share', 'info'],
  ['usr', 'share', 'locale'],
];

async function emptyDir(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => []);
  for (const name of names) if (name !== 'partial' && name !== 'lock') await rm(path.join(dir, name), { recursive: true, force: true });
}

/** Mount points at or below `dir`, deepest first (debootstrap mounts /proc and /sys in the target while it works). */
function mountsUnder(dir: string): string[] {
  const root = path.resolve(dir);
  const unescape = (text: string) => text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return readFileSync(path.join(path.sep, 'proc', 'self', 'mountinfo'), 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mount): mount is string => !!mount)
    .map(unescape)
    .filter((mount) => mount === root || mount.startsWith(root + path.sep))
    .sort((a, b) => b.length - a.length);
}

/** Removes a build tree, first unmounting what a failed debootstrap left mounted in it (never deletes through a mount). */
async function removeTree(dir: string): Promise<void> {
  for (const mount of mountsUnder(dir)) await runCommand('umount', ['-l', mount], { timeoutMs: 60_000 });
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`not removing ${dir}: still mounted: ${left.join(', ')}`);
  await rm(dir, { recursive: true, force: true });
}

async function debootstrap(rootfs: string, recipe: RootfsRecipe): Promise<void> {
  const debs = path.join(recipe.cacheDir, `debs-${recipe.suite}`);
  await mkdir(debs, { recursive: true });
  const started = Date.now();
  recipe.log(`debootstrap --variant=minbase ${recipe.suite} from ${recipe.mirror} (+${recipe.packages.join(',')})…`);
  const args = ['--variant=minbase', `--include=${recipe.packages.join(',')}`, `--cache-dir=${debs}`, recipe.suite, rootfs, recipe.mirror];
  const result = await runCommand('debootstrap', args, { timeoutMs: 1_200_000 });
  if (result.code !== 0) {
    const logFile = path.join(rootfs, 'debootstrap', 'debootstrap.log');
    const detail = existsSync(logFile) ? `\n--- debootstrap.log:\n${outputTail(readFileSync(logFile, 'utf8'), 3000)}` : '';
    throw new Error(`${new CommandError(result).message}${detail}`);
  }
  recipe.log(`debootstrap done in ${Date.now() - started} ms`);
}

async function trim(rootfs: string): Promise<void> {
  for (const dir of TRIMMED) await emptyDir(path.join(rootfs, ...dir));
  for (const cache of ['pkgcache.bin', 'srcpkgcache.bin']) await rm(path.join(rootfs, 'var', 'cache', 'apt', cache), { force: true });
  const noDocs = 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n';
  await writeFile(path.join(rootfs, 'etc', 'dpkg', 'dpkg.cfg.d', '01-cvlab-nodoc'), noDocs);
}

/** Copies the Node binary in and runs it in a chroot: it only needs glibc, libstdc++6 and libgcc-s1 of the same release. */
async function addNode(rootfs: string, recipe: RootfsRecipe): Promise<void> {
  const dest = path.join(rootfs, 'usr', 'local', 'bin', 'node');
  await copyFile(recipe.nodeBinary, dest);
  await chmod(dest, 0o755);
  // The command runs inside the chroot: its paths are the image's, not this machine's.
  const check = await runCommand('chroot', [rootfs, '/usr/bin/env', 'PATH=/usr/local/bin:/usr/bin:/bin', 'node', '-e', 'process.stdout.write(process.version)'], {
    timeoutMs: 60_000,
  });
  if (check.code !== 0) {
    throw new Error(`Node does not run in the new rootfs (${recipe.nodeBinary}): ${lastLines(check)}. A Node linked against shared libraries other than glibc/libstdc++ cannot be copied in.`);
  }
  recipe.log(`node ${check.stdout} runs in the rootfs`);
}

async function tarball(rootfs: string, file: string, log: LogFn): Promise<void> {
  const started = Date.now();
  const partial = `${file}.partial`;
  const excluded = ['./dev/*', './proc/*', './sys/*', './debootstrap'].map((pattern) => `--exclude=${pattern}`);
  await runCommand('tar', ['--numeric-owner', '--xattrs', ...excluded, '-C', rootfs, '-cf', partial, '.'], { check: true, timeoutMs: 600_000 });
  await rename(partial, file);
  log(`rootfs tarball ${file} (${((await stat(file)).size / 1e6).toFixed(0)} MB) in ${Date.now() - started} ms`);
}

/** Builds the rootfs in a temporary folder under the cache and writes it as `recipe.tarball`. */
export async function buildRootfsTarball(recipe: RootfsRecipe): Promise<void> {
  const work = await mkdtemp(path.join(recipe.cacheDir, 'build-'));
  const rootfs = path.join(work, 'rootfs');
  try {
    await debootstrap(rootfs, recipe);
    await trim(rootfs);
    await addNode(rootfs, recipe);
    await tarball(rootfs, recipe.tarball, recipe.log);
  } finally {
    await removeTree(work);
  }
}
