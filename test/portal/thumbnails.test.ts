/**
 * @module The Training images page on a 2,000-image project, in Chromium: it shows the first 100
 * thumbnails. The time it takes is measured and printed (`npm run bench -- --only=portal` prints it
 * too), not asserted: the machines are shared and noisy.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { firstThumbnailsMs, visibleImageCount } from '../support/portal/images';
import { makeLargeProject } from '../support/portal/large-project';
import { openProject } from '../support/portal/projects';
import { withPortal } from '../support/portal/session';
import { browserPrerequisite, skipUnlessRequired } from '../support/prerequisites';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';

const OUT = path.join(PROJECT_ROOT, 'out', 'portal-test', 'thumbnails');
const skip = skipUnlessRequired(browserPrerequisite(), 'BROWSER');

describe('the Training images page of a 2,000-image project', { skip }, () => {
  let service: ServiceProcess;
  before(async () => {
    service = await startServiceProcess();
    await makeLargeProject(service.url, 'Two thousand tiles', 2000);
  });
  after(async () => {
    await service?.stop();
  });

  it('shows its first 100 thumbnails (the time is printed)', { timeout: 300_000 }, async (t) => {
    await withPortal(service.url, { trainingKey: TRAINING_KEY }, OUT, async ({ page, errors, screenshot }) => {
      await openProject(page, 'Two thousand tiles');
      const ms = await firstThumbnailsMs(page, 100);
      t.diagnostic(`first 100 thumbnails of a 2,000-image project shown in ${ms.toFixed(0)} ms`);
      const shown = await visibleImageCount(page);
      assert.ok(shown >= 100 && shown < 2000, `a first page of thumbnails, not all 2,000 (${shown})`);
      await screenshot('two-thousand-images');
      assert.deepEqual(errors, []);
    });
  });
});
