/** @module Drives the portal's Projects page as a user would: create, open, delete, and read the list. */
import type { Locator, Page } from 'playwright-core';

/** Goes to the Projects page by the header's link and waits for the list, freshly loaded. */
async function showProjects(page: Page): Promise<void> {
  const main = page.getByRole('navigation', { name: 'Main' });
  // Already there: pass by Settings so the list is read again (projects made meanwhile by the SDK show).
  if (/^#?\/?$/.test(new URL(page.url()).hash)) await main.getByRole('link', { name: 'Settings', exact: true }).click();
  await main.getByRole('link', { name: 'Projects', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Projects', exact: true }).waitFor();
  await page.getByRole('button', { name: 'New project', exact: true }).waitFor();
}

/** Waits for `done`, or for an alert in `scope` (the portal's error message), whichever comes first: an alert throws its text. */
export async function doneOrAlert(done: Promise<unknown>, scope: Locator, what: string): Promise<void> {
  const alert = scope.getByRole('alert').first();
  const settled = done.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const alerted = alert.waitFor().then(
    () => 'alert' as const,
    () => 'none' as const,
  );
  const first = await Promise.race([settled, alerted]);
  if (first === 'alert') throw new Error(`${what}: ${await alert.innerText()}`);
  const outcome = first === 'none' ? await settled : first;
  if (!outcome.ok) throw outcome.error;
}

function projectCard(page: Page, name: string): Locator {
  return page.getByRole('article', { name, exact: true }).first();
}

/** Creates a project with the New project dialog; resolves to its id, read from the address the portal opens. */
export async function createProject(
  page: Page,
  options: { name: string; description?: string; domain: string; classificationType?: 'Multiclass' | 'Multilabel' },
): Promise<string> {
  await showProjects(page);
  await page.getByRole('button', { name: 'New project', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Name', { exact: true }).fill(options.name);
  if (options.description) await dialog.getByLabel('Description', { exact: true }).fill(options.description);
  await dialog.getByRole('radio', { name: new RegExp(`^${options.classificationType ?? 'Multiclass'}\\b`) }).check();
  await dialog.getByLabel('Domain', { exact: true }).selectOption({ label: options.domain });
  await dialog.getByRole('button', { name: 'Create project', exact: true }).click();
  const created = /#\/projects\/([0-9a-f-]{36})\//i;
  await doneOrAlert(page.waitForURL(created), dialog, `createProject "${options.name}"`);
  return (created.exec(page.url()) as RegExpExecArray)[1];
}

/** Opens the project's page (its Training images tab) from the Projects list. */
export async function openProject(page: Page, name: string): Promise<void> {
  await showProjects(page);
  await projectCard(page, name).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** Deletes the project through Delete and the confirmation; throws the portal's message if the service refuses. */
export async function deleteProject(page: Page, name: string): Promise<void> {
  await showProjects(page);
  const card = projectCard(page, name);
  const before = await page.getByRole('article', { name, exact: true }).count();
  await card.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete project' });
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await doneOrAlert(dialog.waitFor({ state: 'hidden' }), dialog, `deleteProject "${name}"`);
  const listed = page.getByRole('article', { name, exact: true });
  for (const deadline = Date.now() + 30_000; (await listed.count()) >= before; ) {
    if (Date.now() > deadline) throw new Error(`deleteProject "${name}": still listed`);
    await page.waitForTimeout(100);
  }
}

/** The projects as listed, newest first, once every card shows its image count. */
export async function listedProjects(page: Page): Promise<{ name: string; imageCount: number }[]> {
  await showProjects(page);
  const cards = page.locator('article.project-card');
  await page.locator('article.project-card[aria-busy="true"]').last().waitFor({ state: 'detached' });
  const listed: { name: string; imageCount: number }[] = [];
  for (const card of await cards.all()) {
    const name = await card.getByRole('heading', { level: 2 }).innerText();
    const count = (await card.locator('dd.project-image-count').innerText()).trim();
    listed.push({ name, imageCount: Number(count) });
  }
  return listed;
}
