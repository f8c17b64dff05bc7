/** @module Drives the project's Export tab: switching to a compact domain, and exporting and downloading a package. */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { doneOrAlert } from './projects';

async function showExportTab(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Project pages' }).getByRole('link', { name: 'Export', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Export', exact: true }).waitFor();
}

/** Switches a non-compact project to its compact domain (confirming) and waits for the portal to say so. */
export async function switchToCompact(page: Page): Promise<void> {
  await showExportTab(page);
  await page.getByRole('button', { name: /^Switch to .*\(compact\)$/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Switch domain' });
  await dialog.getByRole('button', { name: 'Switch domain', exact: true }).click();
  await doneOrAlert(page.getByRole('status').filter({ hasText: 'The project now uses' }).waitFor(), dialog, 'switchToCompact');
}

/** Exports an iteration (the newest completed one unless named), waits for Done, downloads it into `saveTo`; resolves to the zip's path. */
export async function exportAndDownload(page: Page, options: { platform: 'ONNX' | 'DockerFile'; iterationName?: string; saveTo: string }): Promise<string> {
  await showExportTab(page);
  const iteration = page.getByLabel('Iteration', { exact: true });
  await iteration.waitFor();
  if (options.iterationName) {
    const label = await iteration.locator('option').filter({ hasText: new RegExp(`^${options.iterationName}( \\(not exportable\\))?$`) }).first().innerText();
    await iteration.selectOption({ label });
  }
  await page.getByRole('radio', { name: new RegExp(`^${options.platform}\\b`) }).check();
  const form = page.locator('form.export-form');
  const exportButton = form.getByRole('button', { name: 'Export', exact: true });
  // Disabled while this package is already being built: then only wait for it.
  if (await exportButton.isEnabled()) await exportButton.click();
  const row = page.getByRole('table', { name: 'Exports of this iteration' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${options.platform}\\b`) }) });
  const download = row.getByRole('link', { name: /^Download/ });
  await doneOrAlert(download.waitFor({ timeout: 180_000 }), form, `export ${options.platform}`);
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  const target = path.join(options.saveTo, file.suggestedFilename());
  await file.saveAs(target);
  return target;
}
