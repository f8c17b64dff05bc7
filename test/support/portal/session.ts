/**
 * @module The portal in headless Chromium (Debian's, through playwright-core), signed in with the
 * given keys, with a screenshot helper. Requests that would leave the service's origin are refused,
 * so a page that needed a CDN would fail here.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { withLocalServerPage } from '../browser';

export interface PortalKeys {
  trainingKey: string;
  predictionKey?: string;
}

export interface Portal {
  page: Page;
  /** Script errors the page raised. */
  errors: string[];
  /** Requests refused because they would have left the service's origin. */
  refused: string[];
  /** Writes `<outDir>/<name>.png` (the full page) and returns its path. */
  screenshot(name: string): Promise<string>;
}

/** Opens the portal at `serviceUrl` without signing in. */
export function withPortalPage<T>(serviceUrl: string, outDir: string, use: (portal: Portal) => Promise<T>): Promise<T> {
  mkdirSync(outDir, { recursive: true });
  return withLocalServerPage(`${serviceUrl}/`, async ({ page, errors, refused }) => {
    page.setDefaultTimeout(30_000);
    const screenshot = async (name: string) => {
      const file = path.join(outDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    };
    return use({ page, errors, refused, screenshot });
  });
}

/** Fills the sign-in form as a user would. */
export async function signIn(page: Page, keys: PortalKeys): Promise<void> {
  await page.getByLabel('Training key').fill(keys.trainingKey);
  if (keys.predictionKey) await page.getByLabel(/^Prediction key/).fill(keys.predictionKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens the portal and signs in; `use` starts on the Projects page. */
export function withPortal<T>(serviceUrl: string, keys: PortalKeys, outDir: string, use: (portal: Portal) => Promise<T>): Promise<T> {
  return withPortalPage(serviceUrl, outDir, async (portal) => {
    await signIn(portal.page, keys);
    await portal.page.getByRole('button', { name: 'Sign out' }).waitFor();
    return use(portal);
  });
}
