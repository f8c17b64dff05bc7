/**
 * @module Registers the project's own tslab as Jupyter's `tslab` (TypeScript) kernel.
 *
 * Why kernels started from notebooks/ use the project's packages: Jupyter starts a kernel with cwd =
 * the notebook's folder; tslab type-checks and `require`s from there, walking up to the project's
 * node_modules (where `cvlab` links to lib/). tslab also hands over to the tslab found in the nearest
 * node_modules above its cwd, whichever binary Jupyter started. The kernel needs `node` on the PATH
 * of the process that starts Jupyter (the launcher is `#!/usr/bin/env node`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { outputTail, runCommand } from '../process/run-command';
import { requireJupyter, type JupyterInstall } from './find-jupyter';
import { installHint } from './install-hint';

/**
 * The project's own tslab launcher; the kernelspec must point here, not at a global tslab. Jupyter
 * starts it (on Windows `tslab.cmd`, which Python's subprocess can start); this script never does.
 */
export const TSLAB_BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'tslab.cmd' : 'tslab');

/**
 * The tslab CLI's JavaScript entry (tslab's package.json `bin`), which this script runs with
 * `process.execPath` on every platform: Node (since 20.12.2) refuses to spawn a `.cmd` without a shell.
 */
export const TSLAB_ENTRY = path.join(PROJECT_ROOT, 'node_modules', 'tslab', 'bin', 'tslab');

/** A kernelspec as listed by `jupyter kernelspec list --json`. */
export interface KernelSpec {
  name: string;
  resourceDir: string;
  argv: string[];
  displayName: string;
  language: string;
  env: Record<string, string>;
}

/** Lists kernelspecs (`jupyter kernelspec list --json`; its stderr warnings are ignored). */
export async function listKernelSpecs(install: JupyterInstall): Promise<KernelSpec[]> {
  const listed = await runCommand(install.jupyter, ['kernelspec', 'list', '--json'], { timeoutMs: 60_000, check: true });
  const parsed = JSON.parse(listed.stdout) as {
    kernelspecs: Record<string, { resource_dir: string; spec: { argv: string[]; display_name: string; language: string; env?: Record<string, string> } }>;
  };
  return Object.entries(parsed.kernelspecs).map(([name, kernel]) => ({
    name,
    resourceDir: kernel.resource_dir,
    argv: kernel.spec.argv,
    displayName: kernel.spec.display_name,
    language: kernel.spec.language,
    env: kernel.spec.env ?? {},
  }));
}

/** True for a TypeScript (not `--js`) tslab kernelspec that starts this project's tslab. */
function isProjectTslab(spec: KernelSpec): boolean {
  return spec.argv[0] === TSLAB_BIN && spec.argv[1] === 'kernel' && !spec.argv.includes('--js');
}

/** The registered kernelspec that runs this project's tslab (TypeScript), if any. */
export async function findTslabKernel(install: JupyterInstall): Promise<KernelSpec | undefined> {
  const specs = await listKernelSpecs(install);
  return specs.find((spec) => spec.name === 'tslab' && isProjectTslab(spec)) ?? specs.find(isProjectTslab);
}

/** `jupyter kernelspec install` of the kernel.json that `tslab install` would write, for when tslab's installer cannot run. */
async function installKernelSpecDirectly(install: JupyterInstall): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tslab-kernelspec-'));
  try {
    const spec = { argv: [TSLAB_BIN, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
    await writeFile(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 1));
    await runCommand(install.jupyter, ['kernelspec', 'install', '--user', '--name', 'tslab', dir], { timeoutMs: 60_000, check: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Registers the `tslab` (TypeScript) and `jslab` kernels for the current user, pointing at the
 * project's tslab by absolute path, so Jupyter never starts a global tslab; does nothing when that
 * spec is already listed. Runs `tslab install --python=<Jupyter's python> --binary=<tslab> --user`;
 * tslab's install.py imports IPython (on Debian: `python3-ipython`), and where that fails the same
 * kernel.json is installed with `jupyter kernelspec install --user --name tslab`.
 */
async function registerTslabKernel(install: JupyterInstall): Promise<KernelSpec> {
  if (install.kernelspec === undefined) {
    throw new Error(`ensureTslabKernel: \`jupyter kernelspec\` is missing (jupyter-client).\n${installHint()}`);
  }
  for (const needed of [TSLAB_BIN, TSLAB_ENTRY]) {
    if (!existsSync(needed)) throw new Error(`ensureTslabKernel: ${needed} is missing: run \`npm ci\` first.`);
  }
  const existing = await findTslabKernel(install);
  if (existing !== undefined) return existing;

  const viaTslab = await runCommand(process.execPath, [TSLAB_ENTRY, 'install', `--python=${install.python}`, `--binary=${TSLAB_BIN}`, '--user'], {
    timeoutMs: 120_000,
  });
  if (viaTslab.code !== 0) {
    // Most likely "jupyter is not installed in this Python." (no IPython).
    await installKernelSpecDirectly(install).catch((error: unknown) => {
      throw new Error(`ensureTslabKernel: \`tslab install\` failed:\n${outputTail(viaTslab.stdout + viaTslab.stderr)}\nand then ${String(error)}`);
    });
  }
  const installed = await findTslabKernel(install);
  if (installed === undefined) throw new Error('ensureTslabKernel: the tslab kernelspec is still not listed after installing it.');
  return installed;
}

/** {@link registerTslabKernel} once per process (the lab and every notebook execution share it). */
let kernelCache: Promise<KernelSpec> | undefined;

/** Makes sure the project's tslab is a registered kernel and returns its spec. */
export async function ensureTslabKernel(): Promise<KernelSpec> {
  const install = await requireJupyter('ensureTslabKernel');
  kernelCache ??= registerTslabKernel(install).catch((error: unknown) => {
    kernelCache = undefined;
    throw error;
  });
  return kernelCache;
}
