/**
 * @module Drives the portal's Training images page as a user would (tab link, labels, buttons, the
 * file input) and returns what the page shows, parsed. Every function starts from any tab of a
 * project's page.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** Uploads of hundreds of files take a while on a 2-core machine. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

function projectTabs(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Project pages' });
}

/** Clicks the "Training images" tab (a no-op when it is already shown) and waits for the tag list and the grid to settle. */
async function openImages(page: Page): Promise<void> {
  await projectTabs(page).getByRole('link', { name: 'Training images' }).click();
  await settled(page);
}

/** Waits until the tag list's counts and the grid are loaded (no reload under way). */
async function settled(page: Page): Promise<void> {
  await page.locator('.tag-list[aria-busy="false"]').waitFor();
  await page.locator('.image-grid[aria-busy="false"]').waitFor({ state: 'attached' });
}

/** The tag list's entry for a tag (by its exact name), for All images, or for Untagged. */
function filterEntry(page: Page, tagName: string): Locator {
  const kind = tagName === 'All' ? 'all' : tagName === 'Untagged' ? 'untagged' : 'tag';
  const entries = page.locator(`.tag-list .tag-filter[data-kind="${kind}"]`);
  return kind === 'tag' ? entries.filter({ has: page.locator('.tag-name', { hasText: exactly(tagName) }) }) : entries;
}

export async function createTags(page: Page, names: string[]): Promise<void> {
  await openImages(page);
  for (const name of names) {
    await page.getByLabel('New tag name').fill(name);
    await page.getByRole('button', { name: 'Create tag' }).click();
    await filterEntry(page, name).waitFor();
  }
  await settled(page);
}

export interface UploadReport {
  uploaded: number;
  duplicates: number;
  failed: { file: string; message: string }[];
}

const SUMMARY = /(\d+) uploaded, (\d+) duplicates?, (\d+) failed/;

/** Chooses the files with the picker, ticks exactly `tagNames`, presses Upload and reads each file's final status. */
export async function uploadImages(page: Page, files: string[], tagNames: string[]): Promise<UploadReport> {
  await openImages(page);
  const panel = page.getByRole('region', { name: 'Upload images' });
  await panel.getByLabel('Choose images').setInputFiles(files);
  const choices = panel.getByRole('group', { name: 'Tags for these images' }).locator('label');
  const offered = await choices.allInnerTexts();
  const unknown = tagNames.filter((name) => !offered.some((text) => text.trim() === name));
  if (unknown.length) throw new Error(`The upload panel offers no tag named ${unknown.join(', ')} (it offers ${offered.join(', ')})`);
  for (const choice of await choices.all()) {
    await choice.locator('input').setChecked(tagNames.includes((await choice.innerText()).trim()));
  }
  const upload = panel.getByRole('button', { name: /^Upload( \d+ images?)?$/ });
  if (await upload.isEnabled()) await upload.click();
  const summary = panel.getByRole('status').filter({ hasText: SUMMARY });
  await summary.waitFor({ timeout: UPLOAD_TIMEOUT_MS });
  const [, uploaded, duplicates] = SUMMARY.exec(await summary.innerText()) as RegExpExecArray;
  const failed = await panel.locator('.file-row[data-outcome="failed"]').evaluateAll((rows) =>
    rows.map((row) => ({ file: row.querySelector('.file-name')?.textContent ?? '', message: row.querySelector('.file-status')?.textContent ?? '' })),
  );
  await settled(page);
  return { uploaded: Number(uploaded), duplicates: Number(duplicates), failed: failed.map((f) => ({ file: path.basename(f.file), message: f.message })) };
}

/** Each tag's image count as the tag list shows it, and 'Untagged'. */
export async function tagCounts(page: Page): Promise<Record<string, number>> {
  await openImages(page);
  const entries = await page.locator('.tag-list .tag-filter[data-kind="tag"], .tag-list .tag-filter[data-kind="untagged"]').evaluateAll((buttons) =>
    buttons.map((b) => [b.querySelector('.tag-name')?.textContent ?? '', b.querySelector('.tag-count')?.textContent ?? ''] as const),
  );
  return Object.fromEntries(entries.map(([name, count]) => [name, Number(count)]));
}

/** Shows one tag's images, the untagged ones, or all, and waits for the grid. */
export async function showTag(page: Page, tagName: string): Promise<void> {
  await openImages(page);
  const entry = filterEntry(page, tagName);
  await entry.click();
  await page.locator('.tag-list .tag-filter[aria-pressed="true"]').filter({ has: page.locator('.tag-name', { hasText: exactly(tagName === 'All' ? 'All images' : tagName) }) }).waitFor();
  await settled(page);
}

/** The tiles the grid shows now: the first page, plus any the user loaded by scrolling or "Load more". */
export async function visibleImageCount(page: Page): Promise<number> {
  await openImages(page);
  return page.locator('.image-grid > li').count();
}

/**
 * Clicks the Training images tab link and measures, in the browser, the ms until the grid's first
 * `count` thumbnails (fewer if the first page holds fewer) are loaded and decoded. It first goes to
 * the Quick Test tab, empties the browser's cache and reloads the page (the keys stay in the tab's
 * session), so no thumbnail shown before is reused: the figure is a first visit's.
 */
export async function firstThumbnailsMs(page: Page, count: number): Promise<number> {
  const tabs = projectTabs(page);
  const quickTest = tabs.getByRole('link', { name: 'Quick Test' });
  if ((await quickTest.getAttribute('aria-current')) !== 'page') await quickTest.click();
  await page.locator('.images-layout').waitFor({ state: 'detached' });
  const devtools = await page.context().newCDPSession(page);
  await devtools.send('Network.clearBrowserCache');
  await devtools.detach();
  await page.reload();
  await tabs.getByRole('link', { name: 'Quick Test', exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
  await page.waitForLoadState('networkidle');
  return measureFirstThumbnails(tabs.getByRole('link', { name: 'Training images' }), count);
}

function measureFirstThumbnails(imagesTab: Locator, count: number): Promise<number> {
  // Runs in the page: the element's own document and window (this file is compiled without the
  // DOM's types), and no named inner functions (tsx would wrap them in a helper the page lacks).
  return imagesTab.evaluate(async (link, count) => {
    type Grid = { getAttribute(name: string): string | null; querySelectorAll(selector: string): Iterable<{ complete: boolean; naturalWidth: number }> };
    const view = link.ownerDocument.defaultView as { requestAnimationFrame(next: () => void): void; performance: { now(): number } };
    const document = link.ownerDocument as { querySelector(selector: string): Grid | null };
    const start = view.performance.now();
    link.click();
    for (;;) {
      const grid = document.querySelector('.images-layout .image-grid');
      const images = grid ? [...grid.querySelectorAll('img')] : [];
      const target = grid?.getAttribute('aria-busy') === 'false' ? Math.min(count, images.length) : count;
      if (grid && images.length >= target && images.slice(0, target).every((img) => img.complete && img.naturalWidth > 0)) return view.performance.now() - start;
      if (view.performance.now() - start > 60_000) throw new Error(`the first ${count} thumbnails did not load within 60 s`);
      await new Promise<void>((resolve) => view.requestAnimationFrame(resolve));
    }
  }, count);
}
