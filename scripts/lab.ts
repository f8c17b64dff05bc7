/**
 * @module `npm run lab`: provisions the assets, builds the `cvlab` package, starts the local Custom
 * Vision service (unless Azure is configured), registers the tslab kernel and opens Jupyter on
 * notebooks/ (JupyterLab when installed, else the classic notebook; JupyterLab in a project venv
 * when pip can get it; else it says exactly what to install).
 *
 * `npm run lab -- --execute [--out <folder>]` runs the three notebooks headless against the local
 * service instead, writing the executed notebooks and their HTML to the folder (default out/lab).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { provisionAssets } from '../datasets/provision';
import { loadConfig } from '../lib/src/config';
import { ensureLocalService } from '../lib/src/local-service';
import { canInstallJupyterLab, createJupyterLabVenv, ensureTslabKernel, executeNotebook, installHint, jupyterInstall, PROJECT_ROOT, type JupyterInstall } from './jupyter';

export const NOTEBOOKS = ['01-train-evaluate-improve.ipynb', '02-prediction-endpoint.ipynb', '03-export.ipynb'];

/** Compiles lib/ into lib/dist, which the notebooks import as `cvlab`. */
export function buildLib(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(PROJECT_ROOT, 'lib')], { stdio: 'inherit' });
}

async function executeAll(outDir: string): Promise<void> {
  let failed = 0;
  for (const name of NOTEBOOKS) {
    const started = Date.now();
    try {
      const result = await executeNotebook(path.join(PROJECT_ROOT, 'notebooks', name), outDir, { timeoutInSeconds: 900 });
      console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(0)} s): ${path.relative(PROJECT_ROOT, result.notebook)}, ${path.relative(PROJECT_ROOT, result.html)}`);
    } catch (error) {
      failed++;
      console.error(`✘ ${name}: ${(error as Error).message}`);
    }
  }
  if (failed) process.exitCode = 1;
}

/** What `npm run lab` opens: JupyterLab when installed, else the classic notebook. */
export function jupyterLauncher(install: JupyterInstall | undefined): 'lab' | 'notebook' | undefined {
  return install?.lab ? 'lab' : install?.notebook ? 'notebook' : undefined;
}

async function openJupyter(): Promise<ChildProcess | undefined> {
  let install = await jupyterInstall();
  if (!jupyterLauncher(install)) {
    if (await canInstallJupyterLab()) {
      console.log('No Jupyter found: installing JupyterLab into .venv/ (once).');
      await createJupyterLabVenv();
      install = await jupyterInstall();
    }
  }
  const launcher = jupyterLauncher(install);
  if (!install || !launcher) {
    console.error(`\nNo Jupyter to open the notebooks with, and pip cannot install JupyterLab here.\n\n${installHint()}\n`);
    return undefined;
  }
  await ensureTslabKernel();
  console.log(`Opening ${launcher === 'lab' ? 'JupyterLab' : 'the classic notebook'} on notebooks/ (kernel: TypeScript).`);
  // Jupyter refuses to start as root without --allow-root; classroom containers and cloud sandboxes often run as root.
  const asRoot = process.getuid?.() === 0 ? ['--allow-root'] : [];
  return spawn(install.jupyter, [launcher, `--notebook-dir=${path.join(PROJECT_ROOT, 'notebooks')}`, ...asRoot], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { execute: { type: 'boolean' }, out: { type: 'string' } } });
  await provisionAssets({ progress: process.stdout.isTTY });
  buildLib();
  const config = loadConfig();
  if (config.kind === 'local') {
    const state = await ensureLocalService(config);
    console.log(`Local Custom Vision service ${state === 'started' ? 'started' : 'already running'} at ${config.trainingEndpoint} (log: .data/service.log).`);
  } else {
    console.log(`Using Azure Custom Vision at ${config.trainingEndpoint}.`);
  }
  if (values.execute) {
    await ensureTslabKernel();
    await executeAll(path.resolve(PROJECT_ROOT, values.out ?? 'out/lab'));
    return;
  }
  const jupyter = await openJupyter();
  if (!jupyter) {
    process.exitCode = 1;
    return;
  }
  jupyter.on('exit', (code) => process.exit(code ?? 0));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
