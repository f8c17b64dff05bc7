/** @module Opens a local HTML file, or a page of a local server, in headless Chromium (Debian's); requests that would leave the machine are stopped and recorded. */
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

/**
 * How requests that would leave the machine are stopped: `intercept` aborts each one (every request
 * then makes a round trip through Playwright); `resolve-loopback-only` lets Chromium resolve no name
 * but loopback's and only records them, which leaves timings as a user would see them.
 */
type Fence = 'intercept' | 'resolve-loopback-only';

/** Opens `url` in headless Chromium, stopping every request for which `allowed` is false; `use` gets the page. */
async function withPage<T>(url: string, allowed: (url: string) => boolean, fence: Fence, use: (opened: OpenedPage) => Promise<T>): Promise<T> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'cvlab-chromium-'));
  const args = fence === 'intercept' ? ARGS : [...ARGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'];
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args, viewport: { width: 1200, height: 900 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const opened: OpenedPage = { page, errors: [], refused: [] };
    if (fence === 'intercept') {
      await page.route('**/*', async (route) => {
        const requested = route.request().url();
        if (allowed(requested)) return route.continue();
        opened.refused.push(requested);
        return route.abort();
      });
    } else {
      page.on('request', (request) => {
        if (!allowed(request.url())) opened.refused.push(request.url());
      });
    }
    page.on('pageerror', (error) => opened.errors.push(String(error)));
    await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
    // Debian's nbconvert loads MathJax from /usr/share/javascript: hide its status box in screenshots.
    // A page whose Content-Security-Policy forbids inline styles (the portal) refuses the tag; it has no MathJax.
    await page.addStyleTag({ content: '#MathJax_Message { display: none !important; }' }).catch(() => undefined);
    return await use(opened);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** A local HTML file, offline: only file, data and blob URLs load. */
export function withOfflinePage<T>(htmlFile: string, use: (opened: OpenedPage) => Promise<T>): Promise<T> {
  return withPage(`file://${htmlFile}`, (url) => /^(file|data|blob):/.test(url), 'intercept', use);
}

/**
 * A page of a local server (a Jupyter server, the portal): only that origin, data and blob URLs are
 * expected; any other request is recorded in `refused` and cannot resolve.
 */
export function withLocalServerPage<T>(url: string, use: (opened: OpenedPage) => Promise<T>): Promise<T> {
  const origin = new URL(url).origin;
  const allowed = (requested: string) => /^(data|blob):/.test(requested) || requested.startsWith(`${origin}/`) || requested.startsWith(`${origin.replace(/^http/, 'ws')}/`);
  return withPage(url, allowed, 'resolve-loopback-only', use);
}
