/** @module Whether notebook tests can run here; CI sets CVLAB_REQUIRE_JUPYTER=1 so that a missing piece fails rather than skips. */
import { existsSync } from 'node:fs';
import { installHint, jupyterInstall } from '../../scripts/jupyter';
import { CHROMIUM } from './browser';

/** The reason the tests cannot run here, or undefined. */
export async function notebookPrerequisite(options: { browser: boolean }): Promise<string | undefined> {
  const install = await jupyterInstall();
  if (!install?.nbconvert || !install.nbclient) return `no Jupyter nbconvert/nbclient.\n${installHint()}`;
  if (options.browser && !existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium).`;
  return undefined;
}

/** `false` (run), or the skip reason when allowed to skip. */
export function skipUnlessRequired(missing: string | undefined): string | false {
  return missing !== undefined && process.env.CVLAB_REQUIRE_JUPYTER !== '1' ? `skipped: ${missing}` : false;
}
