/**
 * @module Builds the web portal (web/src, TypeScript + Preact) with esbuild, in memory, at service
 * start: nothing built is committed or written to disk, and the served files always match the source.
 * Asset names carry their content hash, so browsers may cache them forever; the page itself is
 * never cached.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../lib/src/shared';

export interface PortalFile {
  body: Buffer;
  contentType: string;
  /** Named by content hash: cacheable for good. */
  immutable: boolean;
}

export interface PortalBundle {
  /** URL path (`/`, `/portal/app-XXXX.js`, …) to file. */
  files: Map<string, PortalFile>;
  /** Tag for the page, so an unchanged page answers 304. */
  etag: string;
}

export const PORTAL_ASSET_PREFIX = '/portal/';
const ENTRY = path.join(PROJECT_ROOT, 'web', 'src', 'main.tsx');
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The page: no inline script or style, so the Content-Security-Policy can forbid both. */
function page(script: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Custom Vision (local)</title>
<link rel="stylesheet" href="${style}">
<script defer src="${script}"></script>
</head>
<body>
<div id="app"><noscript>The portal needs JavaScript.</noscript></div>
</body>
</html>
`;
}

export async function buildPortal(): Promise<PortalBundle> {
  const result = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: '/portal',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const files = new Map<string, PortalFile>();
  let script = '';
  let style = '';
  for (const output of result.outputFiles) {
    const name = path.basename(output.path);
    const urlPath = `${PORTAL_ASSET_PREFIX}${name}`;
    files.set(urlPath, { body: Buffer.from(output.contents), contentType: TYPES[path.extname(name)] ?? 'application/octet-stream', immutable: true });
    if (name.endsWith('.js')) script = urlPath;
    if (name.endsWith('.css')) style = urlPath;
  }
  const html = Buffer.from(page(script, style));
  files.set('/', { body: html, contentType: 'text/html; charset=utf-8', immutable: false });
  return { files, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 20)}"` };
}

/** The portal's builds: one at start, or a fresh one per page load while working on web/ (--portal-dev). */
export class PortalBuilds {
  private latest: Promise<PortalBundle>;

  constructor(
    private readonly rebuildOnPageLoad: boolean,
    private readonly log: (line: string) => void,
  ) {
    this.latest = this.build();
  }

  private build(): Promise<PortalBundle> {
    const started = Date.now();
    const bundle = buildPortal();
    bundle.then(
      () => this.log(`Web portal built in ${Date.now() - started} ms.`),
      (error: Error) => this.log(`The web portal could not be built (the API works without it): ${error.message}`),
    );
    return bundle;
  }

  /** The build to serve a page load from. */
  forPage(): Promise<PortalBundle> {
    if (this.rebuildOnPageLoad) this.latest = this.build();
    return this.latest;
  }

  /** The build the served page names its assets from. */
  current(): Promise<PortalBundle> {
    return this.latest;
  }
}
