/** @module Drives the portal's Predictions page as a user would: filter the stored predictions, read the cards, add some to the training images. */
import type { Page } from 'playwright-core';

export interface ShownStoredPrediction {
  id: string;
  topTag: string;
  /** The top tag's probability as shown, as a fraction. */
  probability: number;
}

const percentOf = (text: string) => Number(text.replace('%', '').trim()) / 100;

/** The list region once it shows the answer to the current filters. */
const readyList = (page: Page) => page.locator('section[aria-label="Stored predictions"][aria-busy="false"]');

/** Opens the project's Predictions tab (from any tab of a project), or refreshes it if open, and waits for the list. */
async function openPredictions(page: Page): Promise<void> {
  const tab = page.getByRole('navigation', { name: 'Project pages' }).getByRole('link', { name: 'Predictions' });
  if ((await tab.getAttribute('aria-current')) === 'page') await page.getByRole('button', { name: 'Refresh' }).click();
  else await tab.click();
  await readyList(page).waitFor();
}

async function readCards(page: Page): Promise<ShownStoredPrediction[]> {
  await readyList(page).waitFor();
  const cards = await page.locator('[data-prediction-id]').evaluateAll((all) =>
    all.map((card) => {
      const top = card.querySelector('.prediction-tags li');
      return { id: card.getAttribute('data-prediction-id') ?? '', topTag: top?.querySelector('.tag-name')?.textContent ?? '', shown: top?.querySelector('.number')?.textContent ?? '' };
    }),
  );
  return cards.map(({ id, topTag, shown }) => ({ id, topTag: topTag.trim(), probability: percentOf(shown) }));
}

/**
 * The cards shown (first page, newest first) with the filter applied: `tagName` is the "Predicted
 * as" tag and `minProbability` (a fraction, shown in whole percent) that tag's minimum probability.
 */
export async function listPredictions(page: Page, filter: { tagName?: string; minProbability?: number } = {}): Promise<ShownStoredPrediction[]> {
  await openPredictions(page);
  if (filter.minProbability !== undefined && !filter.tagName) throw new Error('The Predictions page filters by probability per tag: give tagName with minProbability.');
  const tagFilter = page.getByRole('combobox', { name: 'Predicted as' });
  if (filter.tagName) await tagFilter.selectOption({ label: filter.tagName });
  else await tagFilter.selectOption({ label: 'Any tag' });
  if (filter.tagName) await page.getByLabel('Minimum probability').fill(String(Math.round((filter.minProbability ?? 0) * 100)));
  return readCards(page);
}

/** Selects the given predictions (loading more pages until each is shown), adds them with the tag, and reads the results shown. */
export async function addToTrainingImages(page: Page, predictionIds: string[], tagName: string): Promise<{ added: number; messages: string[] }> {
  if (!(await readyList(page).isVisible())) await openPredictions(page);
  for (const id of predictionIds) {
    const card = page.locator(`[data-prediction-id="${id}"]`);
    while (!(await card.isVisible())) {
      const more = page.getByRole('button', { name: 'Load more' });
      if (!(await more.isVisible())) throw new Error(`Prediction ${id} is not on the Predictions page`);
      await more.click();
      await readyList(page).waitFor();
    }
    await card.getByRole('checkbox').check();
  }
  await page.getByRole('combobox', { name: 'Tag', exact: true }).selectOption({ label: tagName });
  await page.getByRole('button', { name: 'Add to training images' }).click();
  const results = page.locator('.add-results');
  const failure = page.locator('.predictions > [role="alert"]');
  await results.or(failure).first().waitFor();
  if (await failure.isVisible()) throw new Error(`Add to training images failed: ${(await failure.innerText()).trim()}`);
  const summary = await results.locator('.add-summary').innerText();
  const added = Number(/(\d+) added/.exec(summary)?.[1] ?? NaN);
  const messages = (await results.locator('.add-result-list li').allInnerTexts()).map((m) => m.trim());
  return { added, messages };
}
