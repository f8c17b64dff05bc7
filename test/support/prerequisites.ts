/** @module Whether notebook tests can run here; CI sets CVLAB_REQUIRE_JUPYTER=1 so that a missing piece fails rather than skips. */
import { existsSync } from 'node:fs';
import { installHint, jupyterInstall } from '../../scripts/jupyter';
import { jupyterLauncher } from '../../scripts/lab';
import { CHROMIUM } from './browser';

/** The reason the tests cannot run here, or undefined. */
export async function notebookPrerequisite(options: { browser: boolean }): Promise<string | undefined> {
  const install = await jupyterInstall();
  if (!install?.nbconvert || !install.nbclient) return `no Jupyter nbconvert/nbclient.\n${installHint()}`;
  return options.browser ? browserPrerequisite() : undefined;
}

/** The reason Chromium cannot run here, or undefined. */
export function browserPrerequisite(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no ${CHROMIUM} (apt-get install chromium).`;
}

/** The reason `npm run lab` has no Jupyter server to open here, or undefined. */
export async function labPrerequisite(): Promise<string | undefined> {
  return jupyterLauncher(await jupyterInstall()) ? undefined : 'no Jupyter server (apt-get install jupyter-notebook, or JupyterLab).';
}

/** `false` (run), or the skip reason when allowed to skip. */
export function skipUnlessRequired(missing: string | undefined): string | false {
  return missing !== undefined && process.env.CVLAB_REQUIRE_JUPYTER !== '1' ? `skipped: ${missing}` : false;
}
