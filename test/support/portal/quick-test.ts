/** @module Drives the portal's Quick Test page as a user would, and reads back the tag probabilities it shows. */
import type { Locator, Page } from 'playwright-core';

export interface ShownPrediction {
  tagName: string;
  /** As shown, as a fraction: "93.8%" is 0.938. */
  probability: number;
}

/** Opens the project's Quick Test tab (from any tab of a project) and waits for its form. */
async function openQuickTest(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Project pages' }).getByRole('link', { name: 'Quick Test' }).click();
  await page.getByRole('combobox', { name: 'Iteration', exact: true }).waitFor();
}

/** Picks the iteration whose option starts with `name` (options read "Iteration 2 (published as aerial)"). */
async function pickIteration(page: Page, name: string): Promise<void> {
  const select = page.getByRole('combobox', { name: 'Iteration', exact: true });
  const options = (await select.locator('option').allTextContents()).map((text) => text.trim());
  const match = options.find((text) => text === name || text.startsWith(`${name} (`));
  if (!match) throw new Error(`No completed iteration "${name}" on the Quick Test page; it offers: ${options.join(', ')}`);
  await select.selectOption({ label: match });
}

const percentOf = (text: string) => Number(text.replace('%', '').trim()) / 100;

/** Presses "Quick test" and waits for this test's answer: the probability table, or the error shown. */
async function pressQuickTest(page: Page): Promise<{ table: Locator; alert: Locator }> {
  await page.getByRole('button', { name: 'Quick test', exact: true }).click();
  const table = page.getByRole('table', { name: 'Tag probabilities' });
  const alert = page.locator('.quick-test-form [role="alert"]');
  await table.or(alert).first().waitFor();
  return { table, alert };
}

async function readProbabilities(page: Page): Promise<ShownPrediction[]> {
  const { table, alert } = await pressQuickTest(page);
  if (await alert.isVisible()) throw new Error(`Quick test failed: ${(await alert.innerText()).trim()}`);
  const rows = await table.locator('tbody tr').evaluateAll((all) => all.map((row) => [row.querySelector('th')?.textContent ?? '', row.querySelector('td')?.textContent ?? '']));
  return rows.map(([tagName, shown]) => ({ tagName: tagName.trim(), probability: percentOf(shown) })).sort((a, b) => b.probability - a.probability);
}

/** Quick-tests a local image file (with the named iteration, else the newest). */
export async function quickTestFile(page: Page, file: string, iterationName?: string): Promise<ShownPrediction[]> {
  await openQuickTest(page);
  if (iterationName) await pickIteration(page, iterationName);
  await page.getByLabel('Image file').setInputFiles(file);
  return readProbabilities(page);
}

/** Quick-tests an image URL (with the named iteration, else the newest). */
export async function quickTestUrl(page: Page, url: string, iterationName?: string): Promise<ShownPrediction[]> {
  await openQuickTest(page);
  if (iterationName) await pickIteration(page, iterationName);
  await page.getByLabel('Image URL').fill(url);
  return readProbabilities(page);
}

/** Quick-tests a file the service should refuse; returns the error text shown. */
export async function quickTestError(page: Page, file: string): Promise<string> {
  await openQuickTest(page);
  await page.getByLabel('Image file').setInputFiles(file);
  const { alert } = await pressQuickTest(page);
  if (!(await alert.isVisible())) throw new Error(`Quick test of ${file} showed probabilities, not an error`);
  return (await alert.locator('span').first().innerText()).trim();
}
