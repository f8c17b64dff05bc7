/**
 * @module The portal's figure: how long the Training images page of a 2,000-image project takes to
 * show its first 100 thumbnails in Chromium (fresh browser profile each run, so nothing is cached),
 * next to the same 100 thumbnails fetched by plain HTTP from Node in the same run (the part of the
 * time the service itself takes).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { firstThumbnailsMs } from '../test/support/portal/images';
import { makeLargeProject } from '../test/support/portal/large-project';
import { openProject } from '../test/support/portal/projects';
import { withPortal } from '../test/support/portal/session';
import { TRAINING_KEY, type ServiceProcess } from '../test/support/service-process';

const RUNS = 5;
const NAME = 'Two thousand tiles (bench)';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const spread = (xs: number[]) => `median ${sorted(xs)[Math.floor(xs.length / 2)].toFixed(0)} ms (min ${sorted(xs)[0].toFixed(0)}, max ${sorted(xs)[xs.length - 1].toFixed(0)}, ${xs.length} runs)`;

/** The listing call and 100 thumbnails, six at a time as a browser fetches from one host. */
async function plainHttpMs(serviceUrl: string, projectId: string): Promise<number> {
  const started = performance.now();
  const listing = await fetch(`${serviceUrl}/customvision/v3.4-preview/training/projects/${projectId}/images?take=100&skip=0`, { headers: { 'Training-Key': TRAINING_KEY } });
  const images = (await listing.json()) as { thumbnailUri: string }[];
  const queue = images.map((image) => image.thumbnailUri);
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let uri = queue.shift(); uri; uri = queue.shift()) await (await fetch(uri)).arrayBuffer();
    }),
  );
  return performance.now() - started;
}

export async function benchPortal(service: ServiceProcess): Promise<[string, string][]> {
  const projectId = await makeLargeProject(service.url, NAME, 2000);
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'cvlab-bench-portal-'));
  const browser: number[] = [];
  const http: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await withPortal(service.url, { trainingKey: TRAINING_KEY }, outDir, async ({ page }) => {
      await openProject(page, NAME);
      browser.push(await firstThumbnailsMs(page, 100));
    });
    http.push(await plainHttpMs(service.url, projectId));
  }
  const ratio = browser.map((b, i) => b / http[i]);
  return [
    ['first 100 thumbnails shown in Chromium (2,000-image project)', spread(browser)],
    ['the same listing + 100 thumbnails by plain HTTP', spread(http)],
    ['browser / plain HTTP, per run', ratio.map((r) => `${r.toFixed(2)}x`).join(' ')],
  ];
}
