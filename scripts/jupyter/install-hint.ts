/** @module What to tell someone who has no Jupyter: the exact commands that install it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { venvBin } from './venv-layout';

/** Debian packages for headless execution and the browser check, one per line. */
const APT_PACKAGES_FILE = path.join(PROJECT_ROOT, 'scripts', 'apt-packages.txt');

/** The Debian packages listed in scripts/apt-packages.txt. */
export function aptPackages(): string[] {
  try {
    return readFileSync(APT_PACKAGES_FILE, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  } catch {
    return ['jupyter-nbconvert', 'jupyter-client', 'python3-nbclient', 'python3-ipython', 'chromium', 'fonts-dejavu-core'];
  }
}

/** What to tell a user who has no Jupyter (or lacks nbconvert/nbclient): exact commands. */
export function installHint(): string {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  const bin = venvBin('.venv');
  return [
    'Jupyter is needed to run the lab notebooks on the tslab TypeScript kernel.',
    'Headless execution (tests, `npm run lab -- --execute`) on Debian/Ubuntu:',
    `  ${sudo}apt-get update`,
    `  ${sudo}apt-get install -y --no-install-recommends ${aptPackages().join(' ')}`,
    'To open the notebooks in a browser, add the classic notebook:',
    `  ${sudo}apt-get install -y --no-install-recommends jupyter-notebook`,
    `  jupyter notebook notebooks`,
    'or JupyterLab in the project venv (needs pip to reach PyPI or a wheel mirror):',
    `  python3 -m venv .venv && ${path.join(bin, 'pip')} install jupyterlab`,
    `  ${path.join(bin, 'jupyter')} lab notebooks`,
    '`npm run lab` then registers the tslab kernel',
    `(= ${path.join('node_modules', '.bin', 'tslab')} install --python=<Jupyter's python> --binary=<absolute path of that tslab> --user).`,
  ].join('\n');
}
