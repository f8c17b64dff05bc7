/**
 * @module Opens Jupyter on notebooks/ with the TypeScript kernel, as `npm run lab` does: JupyterLab
 * when installed, else the classic notebook; JupyterLab in the project venv when pip can get it;
 * else it says exactly what to install.
 */
import { PROJECT_ROOT } from '../../lib/src/shared';
import { runCommand } from '../process/run-command';
import { jupyterInstall, type JupyterInstall } from '../jupyter/find-jupyter';
import { installHint } from '../jupyter/install-hint';
import { ensureTslabKernel } from '../jupyter/tslab-kernel';
import { canInstallJupyterLab, createJupyterLabVenv } from '../jupyter/venv';
import { NOTEBOOKS_DIR } from './notebooks';

/** What `npm run lab` opens: JupyterLab when installed, else the classic notebook. */
export function jupyterLauncher(install: JupyterInstall | undefined): 'lab' | 'notebook' | undefined {
  return install?.lab ? 'lab' : install?.notebook ? 'notebook' : undefined;
}

async function installWithLauncher(): Promise<JupyterInstall | undefined> {
  const install = await jupyterInstall();
  if (jupyterLauncher(install) || !(await canInstallJupyterLab())) return install;
  console.log('No Jupyter found: installing JupyterLab into .venv/ (once).');
  await createJupyterLabVenv();
  return jupyterInstall();
}

/**
 * Runs Jupyter on notebooks/ in this terminal until it stops; resolves with its exit code, or
 * undefined (after saying what to install) when there is no Jupyter to open.
 */
export async function openJupyter(): Promise<number | undefined> {
  const install = await installWithLauncher();
  const launcher = jupyterLauncher(install);
  if (!install || !launcher) {
    console.error(`\nNo Jupyter to open the notebooks with, and pip cannot install JupyterLab here.\n\n${installHint()}\n`);
    return undefined;
  }
  await ensureTslabKernel();
  console.log(`Opening ${launcher === 'lab' ? 'JupyterLab' : 'the classic notebook'} on notebooks/ (kernel: TypeScript).`);
  // Jupyter refuses to start as root without --allow-root; classroom containers and cloud sandboxes often run as root.
  const asRoot = process.getuid?.() === 0 ? ['--allow-root'] : [];
  const jupyter = await runCommand(install.jupyter, [launcher, `--notebook-dir=${NOTEBOOKS_DIR}`, ...asRoot], { output: 'inherit', cwd: PROJECT_ROOT });
  return jupyter.code ?? 0;
}
