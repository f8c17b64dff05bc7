/** @module Opens a local HTML file in headless Chromium (Debian's), offline: every non-file request is refused. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface OpenedPage {
  page: Page;
  /** Script errors the page raised. */
  errors: string[];
  /** Requests refused because they would have left the machine. */
  refused: string[];
}

export async function withOfflinePage<T>(htmlFile: string, use: (opened: OpenedPage) => Promise<T>): Promise<T> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'cvlab-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 900 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const opened: OpenedPage = { page, errors: [], refused: [] };
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (/^(file|data|blob):/.test(url)) return route.continue();
      opened.refused.push(url);
      return route.abort();
    });
    page.on('pageerror', (error) => opened.errors.push(String(error)));
    await page.goto(`file://${htmlFile}`, { waitUntil: 'load', timeout: 120_000 });
    // Debian's nbconvert loads MathJax from /usr/share/javascript: hide its status box in screenshots.
    await page.addStyleTag({ content: '#MathJax_Message { display: none !important; }' });
    return await use(opened);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
