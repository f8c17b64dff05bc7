/** @module Drives the publish controls of the iteration shown on the Performance page, and reads the Prediction URL dialog. */
import type { Page } from 'playwright-core';
import { doneOrAlert } from './projects';

/** Publishes the selected iteration under `publishName` (the lab's prediction resource stays prefilled). */
export async function publish(page: Page, publishName: string): Promise<void> {
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish model' });
  await dialog.getByLabel('Model name', { exact: true }).fill(publishName);
  await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
  await doneOrAlert(page.getByRole('button', { name: 'Unpublish', exact: true }).waitFor(), dialog, `publish "${publishName}"`);
}

/** Unpublishes the selected iteration, confirming. */
export async function unpublish(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Unpublish', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Unpublish' });
  await dialog.getByRole('button', { name: 'Unpublish', exact: true }).click();
  await doneOrAlert(page.getByRole('button', { name: 'Publish', exact: true }).waitFor(), dialog, 'unpublish');
}

export interface PredictionUrls {
  /** For an image file (POST the bytes). */
  imageUrl: string;
  /** For an image URL (POST `{"url": …}`). */
  urlUrl: string;
  predictionKey: string;
  curlImage: string;
  curlUrl: string;
}

/** Opens the Prediction URL dialog, reads what it shows, and closes it. */
export async function readPredictionUrls(page: Page): Promise<PredictionUrls> {
  await page.getByRole('button', { name: 'Prediction URL', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'How to use the Prediction API' });
  const byUrl = dialog.getByRole('region', { name: 'If you have an image URL' });
  const byFile = dialog.getByRole('region', { name: 'If you have an image file' });
  const text = async (region: typeof byUrl, label: string) => (await region.getByLabel(label, { exact: true }).innerText()).trim();
  const keyHeader = await text(byFile, 'Prediction-Key header');
  const urls: PredictionUrls = {
    imageUrl: await text(byFile, 'URL'),
    urlUrl: await text(byUrl, 'URL'),
    predictionKey: keyHeader.replace(/^Prediction-Key:\s*/, ''),
    curlImage: await text(byFile, 'curl'),
    curlUrl: await text(byUrl, 'curl'),
  };
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  return urls;
}
