/** @module Drives the portal's Train button and Performance page as a user would, and reads the figures and per-image results they show. */
import type { Locator, Page } from 'playwright-core';

const TRAINING_TIMEOUT_MS = 10 * 60_000;

export interface Figures {
  precision: number;
  recall: number;
  averagePrecision: number;
  perTag: Record<string, { precision: number; recall: number; averagePrecision: number }>;
}

export interface DoubtfulImage {
  imageId: string;
  trueTag: string;
  predictedTag: string;
  probability: number;
}

/** "97.6% ± 0.8%" → 0.976 (the first percentage in the text). */
function fraction(text: string): number {
  const match = /(-?\d+(?:\.\d+)?)%/.exec(text);
  if (!match) throw new Error(`no percentage in "${text}"`);
  return Number(match[1]) / 100;
}

function trainArea(page: Page): Locator {
  return page.locator('.train');
}

/** The message of the first alert in `scope` (without its Dismiss button). */
async function alertText(scope: Locator): Promise<string> {
  return (await scope.getByRole('alert').first().locator('span').first().innerText()).trim();
}

/** Opens the Train dialog on a project's page and starts Quick (or Advanced) training. */
async function startTraining(page: Page, options?: { advanced?: { budgetHours: number } }): Promise<void> {
  const area = trainArea(page);
  // An earlier error would be mistaken for this one's.
  for (const dismiss of await area.getByRole('button', { name: 'Dismiss this message' }).all()) await dismiss.click();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Choose training type' });
  if (options?.advanced) {
    await dialog.getByLabel('Advanced training').check();
    await dialog.getByLabel('Training budget (hours)').fill(String(options.advanced.budgetHours));
  } else {
    await dialog.getByLabel('Quick training').check();
  }
  await dialog.getByRole('button', { name: 'Start training', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/**
 * On a project's page: trains (Quick, or Advanced with a budget) and waits until the Performance page
 * shows the new iteration Completed; returns its name. Throws the portal's message if training is refused or fails.
 */
export async function train(page: Page, options?: { advanced?: { budgetHours: number } }): Promise<{ iterationName: string }> {
  const area = trainArea(page);
  const named = area.locator('.training-iteration');
  const before = (await named.count()) ? await named.innerText() : undefined;
  await startTraining(page, options);
  const alert = area.getByRole('alert');
  const fresh = before === undefined ? named : named.filter({ hasNotText: new RegExp(`^${escapeRegExp(before)}$`) });
  await fresh.or(alert).first().waitFor();
  if (await alert.count()) throw new Error(`train: ${await alertText(area)}`);
  const iterationName = (await fresh.innerText()).trim();

  const selected = page
    .getByRole('navigation', { name: 'Iterations' })
    .locator('a[aria-current="page"]')
    .filter({ has: page.locator('.iteration-name').getByText(iterationName, { exact: true }) })
    .filter({ has: page.locator('.iteration-status').getByText('Completed', { exact: true }) });
  await selected.or(alert).first().waitFor({ timeout: TRAINING_TIMEOUT_MS });
  if (await alert.count()) throw new Error(`train: ${await alertText(area)}`);
  return { iterationName };
}

/** On a project's page: presses Train (Quick) and returns the error the portal shows next to the button. */
export async function trainExpectingError(page: Page): Promise<string> {
  const area = trainArea(page);
  const named = area.locator('.training-iteration');
  const before = (await named.count()) ? await named.innerText() : undefined;
  await startTraining(page);
  const alert = area.getByRole('alert');
  const fresh = before === undefined ? named : named.filter({ hasNotText: new RegExp(`^${escapeRegExp(before)}$`) });
  await alert.or(fresh).first().waitFor();
  if (!(await alert.count())) throw new Error(`trainExpectingError: training started (${await fresh.innerText()})`);
  return alertText(area);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens the project's Performance tab, then the named iteration from the side list if given. */
export async function openPerformance(page: Page, iterationName?: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Project pages' }).getByRole('link', { name: 'Performance', exact: true }).click();
  const list = page.getByRole('navigation', { name: 'Iterations' });
  await list.waitFor();
  if (!iterationName) return;
  await list
    .getByRole('link')
    .filter({ has: page.locator('.iteration-name').getByText(iterationName, { exact: true }) })
    .click();
  await page.locator('.iteration-header').getByRole('heading', { level: 2, name: iterationName, exact: true }).waitFor();
}

/** Waits until the figures shown are the API's answer for the slider's threshold. */
async function figuresSettled(page: Page): Promise<Locator> {
  const percent = Number(await page.getByRole('slider', { name: 'Probability threshold', exact: true }).inputValue());
  const figures = page.locator(`section.figures[data-threshold="${percent / 100}"][aria-busy="false"]`);
  await figures.waitFor();
  return figures;
}

/** On the Performance page: the overall and per-tag figures shown for the current threshold. */
export async function readPerformance(page: Page): Promise<Figures> {
  const figures = await figuresSettled(page);
  const big = async (name: string) => fraction(await figures.locator(`.big-figure[data-figure="${name}"] .big-figure-value`).innerText());
  const perTag: Figures['perTag'] = {};
  for (const row of await figures.locator('table.per-tag tbody tr').all()) {
    const cell = async (name: string) => fraction(await row.locator(`td[data-figure="${name}"]`).innerText());
    perTag[(await row.locator('th').innerText()).trim()] = { precision: await cell('precision'), recall: await cell('recall'), averagePrecision: await cell('averagePrecision') };
  }
  return { precision: await big('precision'), recall: await big('recall'), averagePrecision: await big('averagePrecision'), perTag };
}

/** On the Performance page: moves the slider to `fraction` (rounded to its whole-percent steps) and waits for that threshold's figures. */
export async function setThreshold(page: Page, fraction: number): Promise<void> {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  await page.getByRole('slider', { name: 'Probability threshold', exact: true }).fill(String(percent));
  await page.locator(`section.figures[data-threshold="${percent / 100}"][aria-busy="false"]`).waitFor();
}

/** On the Performance page: the per-image results as listed (wrong first, most confident first). */
export async function doubtfulImages(page: Page): Promise<DoubtfulImage[]> {
  await figuresSettled(page);
  const section = page.locator('section.image-results-section');
  await section.waitFor();
  const rows = await section.locator('li.image-result').evaluateAll((items) =>
    items.map((item) => ({
      imageId: item.getAttribute('data-image-id') ?? '',
      trueTag: item.querySelector('.true-tag')?.textContent?.trim() ?? '',
      predictedTag: item.querySelector('.predicted-tag')?.textContent?.trim() ?? '',
      probability: item.querySelector('.probability')?.textContent?.trim() ?? '',
    })),
  );
  return rows.map((row) => ({ ...row, probability: fraction(row.probability) }));
}

/** On the Performance page: presses that image's "Retag as …" and waits until its row says it was retagged. */
export async function retag(page: Page, imageId: string): Promise<void> {
  const row = page.locator(`li.image-result[data-image-id="${imageId}"]`);
  await row.getByRole('button', { name: /^Retag as / }).click();
  const alert = row.getByRole('alert');
  await row.getByText(/^Retagged as /).or(alert).first().waitFor();
  if (await alert.count()) throw new Error(`retag ${imageId}: ${await alertText(row)}`);
}
