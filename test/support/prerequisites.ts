/**
 * @module Whether the tests that need outside programs can run here. A missing piece skips them and
 * says what is missing, unless `CVLAB_REQUIRE_<NAME>=1` asks for a failure instead (CI sets
 * CVLAB_REQUIRE_JUPYTER=1).
 */
import { existsSync } from 'node:fs';
import { jupyterInstall } from '../../scripts/jupyter/find-jupyter';
import { installHint } from '../../scripts/jupyter/install-hint';
import { jupyterLauncher } from '../../scripts/lab/open-jupyter';
import { CHROMIUM } from './browser';

/** The groups of prerequisites: `JUPYTER` (Jupyter and Chromium), `BROWSER` (Chromium, for the portal), `CONTAINER` (a container runtime and what the base image needs). */
export type Requirement = 'JUPYTER' | 'BROWSER' | 'CONTAINER';

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

/** `false` (run), or the skip reason when `CVLAB_REQUIRE_<requirement>=1` does not forbid skipping. */
export function skipUnlessRequired(missing: string | undefined, requirement: Requirement): string | false {
  return missing !== undefined && process.env[`CVLAB_REQUIRE_${requirement}`] !== '1' ? `skipped: ${missing}` : false;
}
