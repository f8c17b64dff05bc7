/**
 * @module Real Linux containers for tests, on a machine with no image registry and no Docker engine.
 *
 * What works here (Debian 12, cgroup v1, root, no registry, podman 4.3.1 from Debian):
 * - `podman` with the global flags `--runtime runc --cgroup-manager=cgroupfs` ({@link PODMAN_GLOBAL_FLAGS}).
 *   crun is not used (it fails on this kernel setup), and there is no systemd to manage cgroups.
 * - Every `build` and `run` also needs `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024`
 *   ({@link SANDBOX_ULIMITS}): podman's default nofile (1048576) is above this sandbox's hard limit
 *   (20000), and runc then fails with
 *   `error setting rlimits for ready process: error setting rlimit type 7: operation not permitted`
 *   (type 6, nproc, likewise when only nofile is given).
 * - Networks: `--network host` (the container shares the host's loopback, so a test calls the server on
 *   127.0.0.1:PORT) and `--network none` (reach the server from inside with `podman exec`) both work.
 *   The default bridge network (CNI, 10.88.0.0/16) also starts, but it creates a `cni-podman0` bridge,
 *   iptables chains and turns on ip_forward on the host, and its traffic goes to a private-range address:
 *   these helpers never use it, and `-p/--publish` (which needs it) is not offered. `podman build` must get
 *   `--network none` too, or its RUN steps use that bridge.
 * - No registry: the base image is made here by debootstrap (same Debian release as the host, from the
 *   host's apt mirror), plus this machine's own Node.js binary, then `podman import`ed
 *   ({@link ensureBaseImage}). Debian bookworm's own `nodejs` is 18.20 (EOL, and below the project's
 *   `engines.node >= 20.9`), so by default the host's Node 20 binary is copied in: it only needs glibc,
 *   libstdc++6 and libgcc-s1, and the rootfs is the host's own release, so it runs unchanged and needs no
 *   network. `node: 'debian'` installs Debian's `nodejs` package instead.
 *
 * The same helpers accept `runtime: 'docker'` for a machine where a Docker engine is reachable (global
 * podman flags dropped, `--pull=never` not passed); that path is untested here, where no engine runs.
 *
 * Run with `npx tsx` or `node --import tsx`. Debian packages needed: `scripts/apt-packages-container.txt`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Global flags for every podman call on this machine. */
const PODMAN_GLOBAL_FLAGS: readonly string[] = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
/** Limits that `podman build` and `podman run` need here (podman's defaults exceed the sandbox's hard limits). */
const SANDBOX_ULIMITS: readonly string[] = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
/** The base image that exported Docker packages build `FROM` in tests (their `ARG BASE_IMAGE`). */
const DEFAULT_BASE_IMAGE = 'localhost/cvlab-node-base:latest';
/** Cache for debootstrap's .deb files and the base rootfs tarball: outside the repo, survives reboots. */
const DEFAULT_CACHE_DIR = process.env.CVLAB_CONTAINER_CACHE ?? '/var/tmp/cvlab-container-base';
/** Packages the base image gets on top of debootstrap's minbase (ca-certificates; libstdc++6 for Node, sharp, onnxruntime). */
const BASE_PACKAGES: readonly string[] = ['ca-certificates', 'libstdc++6'];
/** Bump when the recipe below changes, so existing base images are rebuilt. */
const RECIPE_VERSION = 1;

export type RuntimeKind = 'podman' | 'docker';
export type RuntimeInfo = { kind: RuntimeKind; version: string } | { kind: 'none'; reason: string };
export type LogFn = (line: string) => void;

export interface CommandResult {
  /** Exit code; null when killed by a signal (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The command line, for messages. */
  command: string;
}

export interface CommandOptions {
  /** Kill (SIGKILL) the command after this many ms. Default 10 minutes. */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is otherwise closed. */
  input?: string | Buffer;
  /** Throw a {@link CommandError} unless the exit code is 0. */
  check?: boolean;
  /** Called with each output line (stdout and stderr) as it arrives. */
  log?: LogFn;
}

class CommandError extends Error {
  constructor(readonly result: CommandResult) {
    super(
      `${result.command} failed (${result.signal ? `signal ${result.signal}` : `exit code ${result.code}`}, ` +
        `${result.durationMs} ms):\n${tail(result.stderr || result.stdout, 4000)}`,
    );
    this.name = 'CommandError';
  }
}

function tail(text: string, max: number): string {
  const t = text.trimEnd();
  return t.length > max ? `…${t.slice(-max)}` : t;
}

/** Runs a command without a shell; resolves with its output (ENOENT resolves with code 127). */
function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const command = [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const lineBuffers = { out: '', err: '' };
    const feed = (which: 'out' | 'err', chunk: string) => {
      if (!options.log) return;
      const lines = (lineBuffers[which] + chunk).split('\n');
      lineBuffers[which] = lines.pop() ?? '';
      for (const line of lines) options.log(line);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), feed('out', d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((stderr += d), feed('err', d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (err: NodeJS.ErrnoException) => (spawnError = err));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const which of ['out', 'err'] as const) if (lineBuffers[which] && options.log) options.log(lineBuffers[which]);
      if (spawnError && spawnError.code !== 'ENOENT') return reject(spawnError);
      const result: CommandResult = {
        code: spawnError ? 127 : code,
        signal: spawnError ? null : signal,
        stdout,
        stderr: spawnError ? `${file}: ${spawnError.message}` : stderr,
        durationMs: Date.now() - started,
        command,
      };
      if (options.check && result.code !== 0) reject(new CommandError(result));
      else resolve(result);
    });
    child.stdin.on('error', () => undefined); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `podman` with {@link PODMAN_GLOBAL_FLAGS} before `args`. */
function podman(args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return runCommand('podman', [...PODMAN_GLOBAL_FLAGS, ...args], options);
}

/** Runs the container CLI of `runtime`: {@link podman} with its flags, or plain `docker`. */
function containerCli(runtime: RuntimeKind, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return runtime === 'podman' ? podman(args, options) : runCommand('docker', args, options);
}

function firstLine(result: CommandResult): string {
  return (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ');
}

/**
 * Finds a usable container runtime: podman first (`podman info` with the required flags succeeds),
 * then a reachable Docker engine (`docker info` succeeds). `CVLAB_CONTAINER_RUNTIME=none|podman|docker`
 * forces the choice (`none` turns container tests off).
 */
export async function detectContainerRuntime(): Promise<RuntimeInfo> {
  const forced = process.env.CVLAB_CONTAINER_RUNTIME;
  if (forced === 'none') return { kind: 'none', reason: 'container tests turned off by CVLAB_CONTAINER_RUNTIME=none' };
  const reasons: string[] = [];
  if (forced === undefined || forced === '' || forced === 'podman') {
    const r = await podman(['info', '--format', '{{.Version.Version}}'], { timeoutMs: 60_000 });
    if (r.code === 0 && r.stdout.trim()) return { kind: 'podman', version: r.stdout.trim() };
    reasons.push(r.code === 127 ? 'podman is not installed' : `podman info failed: ${firstLine(r)}`);
  }
  if (forced === undefined || forced === '' || forced === 'docker') {
    const r = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
    if (r.code === 0 && r.stdout.trim() && !r.stdout.includes('<no value>')) return { kind: 'docker', version: r.stdout.trim() };
    reasons.push(r.code === 127 ? 'docker is not installed' : `no Docker engine reachable (docker info: ${firstLine(r)})`);
  }
  return {
    kind: 'none',
    reason: `${reasons.join('; ')}. Install the Debian packages in scripts/apt-packages-container.txt (as root) to run container tests.`,
  };
}

/** The host's OS release (from /etc/os-release): id (`debian`) and codename (`bookworm`). */
function hostRelease(): { id: string; codename: string; pretty: string } {
  const text = readFileSync('/etc/os-release', 'utf8');
  const field = (k: string) => new RegExp(`^${k}=("?)(.*)\\1$`, 'm').exec(text)?.[2] ?? '';
  const codename = field('VERSION_CODENAME');
  if (!codename) throw new Error('/etc/os-release has no VERSION_CODENAME: cannot choose a debootstrap suite');
  return { id: field('ID'), codename, pretty: field('PRETTY_NAME') };
}

/**
 * The apt mirror this machine uses for `suite` (its main archive, not the security one), read from
 * /etc/apt/sources.list and sources.list.d/*.list|*.sources; `CVLAB_DEBIAN_MIRROR` overrides it;
 * falls back to http://deb.debian.org/debian.
 */
function defaultDebianMirror(suite: string = hostRelease().codename): string {
  if (process.env.CVLAB_DEBIAN_MIRROR) return process.env.CVLAB_DEBIAN_MIRROR;
  const entries: { uri: string; suites: string[] }[] = [];
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) files.push(path.join('/etc/apt/sources.list.d', f));
  } catch {
    /* no sources.list.d */
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const get = (k: string) => new RegExp(`^${k}:[ \\t]*(.*)$`, 'mi').exec(stanza)?.[1]?.trim() ?? '';
        if (!get('Types').split(/\s+/).includes('deb') || /^(no|false)$/i.test(get('Enabled'))) continue;
        for (const uri of get('URIs').split(/\s+/).filter(Boolean)) entries.push({ uri, suites: get('Suites').split(/\s+/) });
      }
    } else if (file.endsWith('.list') || file === '/etc/apt/sources.list') {
      for (const raw of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(raw);
        if (m) entries.push({ uri: m[1], suites: [m[2]] });
      }
    }
  }
  const usable = entries.filter((e) => /^(https?|file):/.test(e.uri) && e.suites.includes(suite));
  const main = usable.find((e) => !/security/.test(e.uri)) ?? usable[0];
  return main ? main.uri.replace(/\/+$/, '') : 'http://deb.debian.org/debian';
}

export interface EnsureBaseImageOptions {
  /** Image name. Default {@link DEFAULT_BASE_IMAGE}. */
  name?: string;
  /** Rebuild (debootstrap again, then re-import) even if the image exists. */
  rebuild?: boolean;
  /** Progress lines (each step with its time); command output only appears in thrown errors. */
  log?: LogFn;
  /** Debian mirror for debootstrap. Default {@link defaultDebianMirror}. */
  mirror?: string;
  /** Debian suite. Default: this machine's codename (/etc/os-release). */
  suite?: string;
  /** Where Node comes from: this machine's binary (default) or Debian's `nodejs` package. */
  node?: 'host' | 'debian';
  /** The Node binary to copy for `node: 'host'`. Default: the running Node (`process.execPath`). */
  nodeBinary?: string;
  /** More Debian packages to include. */
  extraPackages?: string[];
  /** Cache folder. Default {@link DEFAULT_CACHE_DIR}. */
  cacheDir?: string;
  runtime?: RuntimeKind;
}

/** Labels of the base image, also its cache key. */
function baseImageRecipe(o: Required<Pick<EnsureBaseImageOptions, 'suite' | 'node'>> & { packages: string[]; nodeVersion: string }) {
  const key = createHash('sha256')
    .update(JSON.stringify({ v: RECIPE_VERSION, suite: o.suite, node: o.node, nodeVersion: o.nodeVersion, packages: o.packages }))
    .digest('hex')
    .slice(0, 16);
  return { key, labels: { 'cvlab.base.key': key, 'cvlab.base.suite': o.suite, 'cvlab.base.node': o.nodeVersion } };
}

async function imageExists(image: string, runtime: RuntimeKind = 'podman'): Promise<boolean> {
  return (await containerCli(runtime, ['image', 'inspect', '--format', '{{.Id}}', image], { timeoutMs: 60_000 })).code === 0;
}

/** An image's label, or '' if unset. */
async function imageLabel(image: string, label: string, runtime: RuntimeKind = 'podman'): Promise<string> {
  const r = await containerCli(runtime, ['image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, image], { timeoutMs: 60_000 });
  const v = r.stdout.trim();
  return r.code === 0 && v !== '<no value>' ? v : '';
}

/** An image's size in bytes, as the runtime reports it. */
async function imageSize(image: string, runtime: RuntimeKind = 'podman'): Promise<number> {
  const r = await containerCli(runtime, ['image', 'inspect', '--format', '{{.Size}}', image], { check: true, timeoutMs: 60_000 });
  return Number(r.stdout.trim());
}

/**
 * Makes sure the base image exists and returns its name. Idempotent: when the image exists with the same
 * recipe (labels: suite, Node version, packages) it returns at once; a changed recipe (say, the host's Node
 * was upgraded) rebuilds it. Building: debootstrap `--variant=minbase` of this machine's Debian release
 * with {@link BASE_PACKAGES} (debs cached under `cacheDir`), docs/man/locales/apt lists dropped, Node
 * added (host binary at /usr/local/bin/node, checked by running it in a chroot), tarred to
 * `cacheDir/base-<name>-<key>.tar` (kept: a later import after `podman rmi` skips debootstrap) and imported.
 * Needs root and `debootstrap`. Serialised across processes by a lock folder in `cacheDir`.
 */
export async function ensureBaseImage(options: EnsureBaseImageOptions = {}): Promise<string> {
  const name = options.name ?? DEFAULT_BASE_IMAGE;
  const runtime = options.runtime ?? 'podman';
  const log: LogFn = options.log ?? (() => undefined);
  const suite = options.suite ?? hostRelease().codename;
  const nodeMode = options.node ?? 'host';
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const nodeBinary = nodeMode === 'host' ? realpathSync(options.nodeBinary ?? process.execPath) : '';
  const nodeVersion =
    nodeMode === 'host'
      ? (await runCommand(nodeBinary, ['--version'], { check: true, timeoutMs: 30_000 })).stdout.trim()
      : 'debian-nodejs';
  const packages = [...new Set([...BASE_PACKAGES, ...(nodeMode === 'debian' ? ['nodejs'] : []), ...(options.extraPackages ?? [])])].sort();
  const { key, labels } = baseImageRecipe({ suite, node: nodeMode, packages, nodeVersion });

  const isCurrent = async () => (await imageExists(name, runtime)) && (await imageLabel(name, 'cvlab.base.key', runtime)) === key;
  if (!options.rebuild && (await isCurrent())) {
    log(`base image ${name} exists (recipe ${key}): reused`);
    return name;
  }

  await mkdir(cacheDir, { recursive: true });
  const release = await acquireLock(path.join(cacheDir, 'lock'), log);
  try {
    // Another process may have built it while this one waited for the lock.
    if (!options.rebuild && (await isCurrent())) {
      log(`base image ${name} was built meanwhile: reused`);
      return name;
    }
    const stem = `base-${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}-`;
    const tarball = path.join(cacheDir, `${stem}${key}.tar`);
    if (options.rebuild || !existsSync(tarball)) {
      await buildRootfsTarball({
        tarball,
        cacheDir,
        suite,
        packages,
        mirror: options.mirror ?? defaultDebianMirror(suite),
        nodeBinary,
        log,
      });
      // Keep only this image's current tarball.
      for (const f of await readdir(cacheDir)) {
        if (f.startsWith(stem) && /-[0-9a-f]{16}\.tar$/.test(f) && f !== path.basename(tarball)) await rm(path.join(cacheDir, f), { force: true });
      }
    } else {
      log(`rootfs tarball cached: ${tarball}`);
    }
    const previous = (await containerCli(runtime, ['image', 'inspect', '--format', '{{.Id}}', name], { timeoutMs: 60_000 })).stdout.trim();
    const t0 = Date.now();
    const changes = [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ...Object.entries(labels).map(([k, v]) => `LABEL ${k}=${v}`),
      'CMD ["node"]',
    ];
    await containerCli(runtime, ['import', ...changes.flatMap((c) => ['--change', c]), tarball, name], { check: true, timeoutMs: 600_000 });
    log(`imported ${name} in ${Date.now() - t0} ms (${((await imageSize(name, runtime)) / 1e6).toFixed(0)} MB)`);
    // The replaced image is now untagged: drop it unless images built FROM it still use it.
    if (previous && !(await containerCli(runtime, ['image', 'inspect', '--format', '{{.Id}}', name], { timeoutMs: 60_000 })).stdout.includes(previous)) {
      await containerCli(runtime, ['rmi', previous], { timeoutMs: 120_000 });
    }
    return name;
  } finally {
    await release();
  }
}

async function buildRootfsTarball(o: {
  tarball: string;
  cacheDir: string;
  suite: string;
  packages: string[];
  mirror: string;
  nodeBinary: string;
  log: LogFn;
}): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building the base image needs root (debootstrap, chroot)');
  const work = await mkdtemp(path.join(o.cacheDir, 'build-'));
  const rootfs = path.join(work, 'rootfs');
  const debs = path.join(o.cacheDir, `debs-${o.suite}`);
  await mkdir(debs, { recursive: true });
  try {
    let t0 = Date.now();
    o.log(`debootstrap --variant=minbase ${o.suite} from ${o.mirror} (+${o.packages.join(',')})…`);
    const db = await runCommand(
      'debootstrap',
      ['--variant=minbase', `--include=${o.packages.join(',')}`, `--cache-dir=${debs}`, o.suite, rootfs, o.mirror],
      { timeoutMs: 1_200_000 },
    );
    if (db.code !== 0) {
      const logFile = path.join(rootfs, 'debootstrap', 'debootstrap.log');
      const detail = existsSync(logFile) ? `\n--- debootstrap.log:\n${tail(readFileSync(logFile, 'utf8'), 3000)}` : '';
      throw new Error(
        db.code === 127
          ? 'debootstrap is not installed: apt-get install debootstrap (see scripts/apt-packages-container.txt)'
          : `${new CommandError(db).message}${detail}`,
      );
    }
    o.log(`debootstrap done in ${Date.now() - t0} ms`);

    // Keep it small: no package lists, .deb cache, docs, man pages or translations.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
      await emptyDir(path.join(rootfs, dir));
    }
    await rm(path.join(rootfs, 'var/cache/apt/pkgcache.bin'), { force: true });
    await rm(path.join(rootfs, 'var/cache/apt/srcpkgcache.bin'), { force: true });
    await writeFile(path.join(rootfs, 'etc/dpkg/dpkg.cfg.d/01-cvlab-nodoc'), 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n');

    if (o.nodeBinary) {
      const dest = path.join(rootfs, 'usr/local/bin/node');
      await copyFile(o.nodeBinary, dest);
      await chmod(dest, 0o755);
    }
    const check = await runCommand(
      'chroot',
      [rootfs, '/usr/bin/env', 'PATH=/usr/local/bin:/usr/bin:/bin', 'node', '-e', 'process.stdout.write(process.version)'],
      { timeoutMs: 60_000 },
    );
    if (check.code !== 0) {
      throw new Error(
        `Node does not run in the new rootfs (${o.nodeBinary || 'Debian nodejs'}): ${firstLine(check)}. ` +
          `A host Node linked against shared libraries other than glibc/libstdc++ needs node: 'debian' or extraPackages.`,
      );
    }
    o.log(`node ${check.stdout} runs in the rootfs`);

    t0 = Date.now();
    const partial = `${o.tarball}.partial`;
    await runCommand(
      'tar',
      ['--numeric-owner', '--xattrs', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '--exclude=./debootstrap', '-C', rootfs, '-cf', partial, '.'],
      { check: true, timeoutMs: 600_000 },
    );
    await rename(partial, o.tarball);
    o.log(`rootfs tarball ${o.tarball} (${((await stat(o.tarball)).size / 1e6).toFixed(0)} MB) in ${Date.now() - t0} ms`);
  } finally {
    await removeTree(work);
  }
}

async function emptyDir(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const n of names) if (n !== 'partial' && n !== 'lock') await rm(path.join(dir, n), { recursive: true, force: true });
}

/** Mount points at or below `dir` (debootstrap mounts /proc and /sys in the target while it works). */
function mountsUnder(dir: string): string[] {
  const root = path.resolve(dir);
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescape)
    .filter((p) => p === root || p.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
}

/** Removes a build tree, first unmounting anything a failed debootstrap left mounted in it (never deletes through a mount). */
async function removeTree(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await runCommand('umount', ['-l', m], { timeoutMs: 60_000 });
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`not removing ${dir}: still mounted: ${left.join(', ')}`);
  await rm(dir, { recursive: true, force: true });
}

/** A lock folder holding the owner's pid; a lock whose owner is gone is taken over. */
async function acquireLock(lockDir: string, log: LogFn, timeoutMs = 1_800_000): Promise<() => Promise<void>> {
  const started = Date.now();
  let warned = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      return async () => {
        await rm(path.join(lockDir, 'pid'), { force: true });
        await rmdir(lockDir).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    } catch {
      /* being written or removed */
    }
    let alive = true;
    if (Number.isInteger(owner) && owner > 0) {
      try {
        process.kill(owner, 0);
      } catch {
        alive = false;
      }
    } else if (Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > 60_000) {
      alive = false;
    }
    if (!alive) {
      log(`taking over the stale lock ${lockDir}`);
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!warned) log(`waiting for process ${owner} that holds ${lockDir}`), (warned = true);
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${lockDir} (held by ${owner})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface BuildImageOptions {
  runtime?: RuntimeKind;
  /** Passed as `--no-cache`. */
  noCache?: boolean;
  log?: LogFn;
  timeoutMs?: number;
}

/**
 * Builds `contextDir` (its `Dockerfile`) as `tag` with `--network none` and {@link SANDBOX_ULIMITS}, never
 * pulling (podman: `--pull=never`; the base must exist locally, see {@link ensureBaseImage}). Throws a
 * {@link CommandError} with the build output on failure.
 */
export async function buildImage(
  contextDir: string,
  tag: string,
  buildArgs: Record<string, string> = {},
  options: BuildImageOptions = {},
): Promise<CommandResult> {
  const runtime = options.runtime ?? 'podman';
  const args = [
    'build',
    ...(runtime === 'podman' ? ['--pull=never'] : []),
    '--network', 'none',
    ...SANDBOX_ULIMITS,
    ...(options.noCache ? ['--no-cache'] : []),
    ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    '-t', tag,
    contextDir,
  ];
  const r = await containerCli(runtime, args, { timeoutMs: options.timeoutMs ?? 900_000, log: options.log });
  if (r.code !== 0) throw new CommandError({ ...r, stderr: `${r.stdout}\n${r.stderr}` });
  return r;
}

export interface RunContainerOptions {
  /** Container name; an old container of that name is removed first. */
  name: string;
  /**
   * `host`: shares the host's network, so the server is reached on 127.0.0.1:<its port> from the test.
   * `none`: loopback only inside the container; reach it with {@link execInContainer}.
   */
  network: 'host' | 'none';
  /**
   * The port the server listens on, for `network: 'host'` only: the result's `url` is then
   * `http://127.0.0.1:<publish>`. (No `-p` mapping: that needs the bridge network, avoided here.)
   * Prefer letting the server pick a free port and read it from its log ({@link waitForLog}).
   */
  publish?: number;
  env?: Record<string, string>;
  /** Overrides the image's CMD. */
  command?: string[];
  /** More `run` flags (before the image). */
  extraArgs?: string[];
  runtime?: RuntimeKind;
}

export interface RunningContainer {
  name: string;
  id: string;
  runtime: RuntimeKind;
  /** For `network: 'host'` with `publish`. */
  url?: string;
}

/** Starts `image` detached with {@link SANDBOX_ULIMITS} and the chosen network; see {@link stopContainer}. */
export async function runContainer(image: string, options: RunContainerOptions): Promise<RunningContainer> {
  const runtime = options.runtime ?? 'podman';
  if (options.publish !== undefined && options.network !== 'host') {
    throw new Error(`publish needs network 'host' (with network 'none', use execInContainer)`);
  }
  await containerCli(runtime, ['rm', '-f', options.name], { timeoutMs: 60_000 });
  const r = await containerCli(
    runtime,
    [
      'run', '-d',
      '--name', options.name,
      '--network', options.network,
      ...SANDBOX_ULIMITS,
      ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      ...(options.extraArgs ?? []),
      image,
      ...(options.command ?? []),
    ],
    { check: true, timeoutMs: 120_000 },
  );
  return {
    name: options.name,
    id: r.stdout.trim().split('\n').pop() ?? '',
    runtime,
    url: options.publish !== undefined ? `http://127.0.0.1:${options.publish}` : undefined,
  };
}

/** Runs a command in a running container (`exec`). */
export function execInContainer(
  container: string | RunningContainer,
  command: string[],
  options: CommandOptions & { runtime?: RuntimeKind } = {},
): Promise<CommandResult> {
  const { name, runtime } = typeof container === 'string' ? { name: container, runtime: options.runtime ?? 'podman' } : container;
  return containerCli(runtime, ['exec', ...(options.input !== undefined ? ['-i'] : []), name, ...command], { timeoutMs: 120_000, ...options });
}

/** The container's output so far (stdout and stderr). */
async function containerLogs(container: string | RunningContainer, runtime: RuntimeKind = 'podman'): Promise<string> {
  const { name, runtime: rt } = typeof container === 'string' ? { name: container, runtime } : container;
  const r = await containerCli(rt, ['logs', name], { timeoutMs: 60_000 });
  return r.stdout + r.stderr;
}

/** Waits until the container's log matches `pattern`; fails early, with the log, if the container stops. */
export async function waitForLog(container: RunningContainer, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const logs = await containerLogs(container);
    const m = pattern.exec(logs);
    if (m) return m;
    const state = await containerCli(container.runtime, ['inspect', '--format', '{{.State.Status}}', container.name], { timeoutMs: 60_000 });
    const status = state.stdout.trim();
    if (state.code !== 0 || (status !== 'running' && status !== 'created' && status !== 'configured')) {
      throw new Error(`container ${container.name} is ${status || 'gone'} before logging ${pattern}:\n${tail(logs, 4000)}`);
    }
    if (Date.now() > deadline) throw new Error(`container ${container.name} did not log ${pattern} within ${timeoutMs} ms:\n${tail(logs, 4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Stops and removes a container (no error if it is gone). Node as PID 1 ignores SIGTERM unless the
 * server handles it, so after `timeoutSeconds` (default 2) it is killed.
 */
export async function stopContainer(container: string | RunningContainer, options: { timeoutSeconds?: number; runtime?: RuntimeKind } = {}): Promise<void> {
  const { name, runtime } = typeof container === 'string' ? { name: container, runtime: options.runtime ?? 'podman' } : container;
  await containerCli(runtime, ['stop', '-t', String(options.timeoutSeconds ?? 2), name], { timeoutMs: 120_000 });
  await containerCli(runtime, ['rm', '-f', name], { timeoutMs: 120_000 });
}

/** Removes an image (no error if it is gone). Its base image stays. */
export async function removeImage(image: string, runtime: RuntimeKind = 'podman'): Promise<void> {
  await containerCli(runtime, ['rmi', '-f', image], { timeoutMs: 120_000 });
}

/**
 * CLI: `npx tsx test/support/container-base.ts [--rebuild] [--node=host|debian] [--name=IMAGE]` prints the
 * runtime, ensures the base image and prints its name, size and the time taken.
 */
if (require.main === module) {
  void (async () => {
    const argv = process.argv.slice(2);
    const opt = (k: string) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
    const rt = await detectContainerRuntime();
    console.log(`runtime: ${JSON.stringify(rt)}`);
    if (rt.kind === 'none') process.exit(2);
    const t0 = Date.now();
    const node = opt('node');
    const image = await ensureBaseImage({
      name: opt('name'),
      rebuild: argv.includes('--rebuild'),
      node: node === 'debian' || node === 'host' ? node : undefined,
      runtime: rt.kind,
      log: (l) => console.log(`  ${l}`),
    });
    console.log(`${image}: ${((await imageSize(image, rt.kind)) / 1e6).toFixed(0)} MB, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
