/**
 * @module Exercise 1 of the lab, done the way the original lab teaches it: in the web portal, in a
 * real browser (Debian's Chromium), on the real dataset and the real service. Every figure the page
 * shows is checked against what the official SDK gets from the same service. Screenshots of each
 * page land in out/portal-test/exercise1/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import JSZip from 'jszip';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { CLASSES, imageFiles } from '../support/dataset';
import { exportAndDownload, switchToCompact } from '../support/portal/export';
import { createTags, tagCounts, uploadImages } from '../support/portal/images';
import { doubtfulImages, openPerformance, readPerformance, retag, setThreshold, train, type Figures } from '../support/portal/performance';
import { addToTrainingImages, listPredictions } from '../support/portal/predictions';
import { createProject } from '../support/portal/projects';
import { publish, readPredictionUrls } from '../support/portal/publish';
import { quickTestFile } from '../support/portal/quick-test';
import { withPortal, type Portal } from '../support/portal/session';
import { browserPrerequisite, skipUnlessRequired } from '../support/prerequisites';
import { trainingClient } from '../support/sdk';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';

const OUT = path.join(PROJECT_ROOT, 'out', 'portal-test', 'exercise1');
const skip = skipUnlessRequired(browserPrerequisite(), 'BROWSER');

/** The page shows percentages with one decimal: half of 0.1% apart at most from the API's fraction. */
const SHOWN = 0.0005 + 1e-9;

function assertShown(shown: Figures, api: { precision?: number; recall?: number; averagePrecision?: number; perTagPerformance?: { name?: string; precision?: number; recall?: number; averagePrecision?: number }[] }, what: string): void {
  assert.ok(Math.abs(shown.precision - (api.precision ?? NaN)) <= SHOWN, `${what}: precision ${shown.precision} shown, ${api.precision} from the API`);
  assert.ok(Math.abs(shown.recall - (api.recall ?? NaN)) <= SHOWN, `${what}: recall ${shown.recall} shown, ${api.recall} from the API`);
  assert.ok(Math.abs(shown.averagePrecision - (api.averagePrecision ?? NaN)) <= SHOWN, `${what}: AP ${shown.averagePrecision} shown, ${api.averagePrecision} from the API`);
  for (const tag of api.perTagPerformance ?? []) {
    const row = shown.perTag[tag.name as string];
    assert.ok(row, `${what}: no row for ${tag.name}`);
    assert.ok(Math.abs(row.precision - (tag.precision ?? NaN)) <= SHOWN && Math.abs(row.recall - (tag.recall ?? NaN)) <= SHOWN, `${what}: ${tag.name} shown ${JSON.stringify(row)}, API ${tag.precision}/${tag.recall}`);
  }
}

describe('Exercise 1 in the web portal, in Chromium', { skip }, () => {
  let service: ServiceProcess;
  before(async () => {
    service = await startServiceProcess();
  });
  after(async () => {
    await service?.stop();
  });

  it('create, tag, upload 450 images, train, evaluate, retag, improve, quick test, publish, call the endpoint, export', { timeout: 900_000 }, async () => {
    const trainer = trainingClient(service.url);
    await withPortal(service.url, { trainingKey: TRAINING_KEY, predictionKey: PREDICTION_KEY }, OUT, async (portal: Portal) => {
      const { page } = portal;
      await portal.screenshot('01-projects');

      // The project and its three tags.
      const projectId = await createProject(page, { name: 'Aerial land use (portal)', description: 'Exercise 1, through the portal', domain: 'General' });
      const project = await trainer.getProject(projectId);
      assert.equal(project.name, 'Aerial land use (portal)');
      await createTags(page, [...CLASSES]);
      const tags = Object.fromEntries((await trainer.getTags(projectId)).map((t) => [t.name as string, t.id as string]));
      assert.deepEqual(Object.keys(tags).sort(), [...CLASSES]);

      // 150 images per tag through the file input, with their tag chosen at upload.
      for (const name of CLASSES) {
        const report = await uploadImages(page, imageFiles('train', name), [name]);
        assert.deepEqual(report, { uploaded: 150, duplicates: 0, failed: [] }, `upload of ${name}`);
      }
      const counts = await tagCounts(page);
      for (const name of CLASSES) assert.equal(counts[name], 150, `${name} count shown`);
      assert.equal((await trainer.getImageCount(projectId)).body, 450);
      await portal.screenshot('02-training-images');

      // Iteration 1, and its figures as the API gives them.
      const first = await train(page);
      const iterations = await trainer.getIterations(projectId);
      const iteration1 = iterations.find((i) => i.name === first.iterationName);
      assert.equal(iteration1?.status, 'Completed');
      const at50 = await readPerformance(page);
      assertShown(at50, await trainer.getIterationPerformance(projectId, iteration1?.id as string, { threshold: 0.5 }), 'iteration 1 at 50%');
      assert.ok(at50.precision > 0.8 && at50.recall > 0.8, `iteration 1 precision ${at50.precision}, recall ${at50.recall}`);
      await portal.screenshot('03-performance');

      // The threshold slider: the page follows the API, and the API's figures do move.
      await setThreshold(page, 0.95);
      const at95 = await readPerformance(page);
      const api95 = await trainer.getIterationPerformance(projectId, iteration1?.id as string, { threshold: 0.95 });
      assertShown(at95, api95, 'iteration 1 at 95%');
      assert.ok(at95.recall < at50.recall, `recall must fall as the threshold rises (${at50.recall} at 50%, ${at95.recall} at 95%)`);
      await setThreshold(page, 0.5);

      // The doubtful images, and a one-click retag that the API then reports.
      const doubtful = await doubtfulImages(page);
      assert.ok(doubtful.length > 0, 'some held-out images are wrong or doubtful');
      const wrong = doubtful.find((d) => d.predictedTag !== d.trueTag) ?? doubtful[0];
      await portal.screenshot('04-doubtful-images');
      await retag(page, wrong.imageId);
      const [retagged] = await trainer.getImagesByIds(projectId, { imageIds: [wrong.imageId] });
      assert.deepEqual(retagged.tags?.map((t) => t.tagName), [wrong.predictedTag], 'the image now carries the predicted tag');

      // Developed-SecondBatch, then iteration 2.
      const second = await uploadImages(page, imageFiles('train', 'Developed-SecondBatch'), ['Developed']);
      assert.deepEqual(second, { uploaded: 50, duplicates: 0, failed: [] });
      const improved = await train(page);
      assert.notEqual(improved.iterationName, first.iterationName);
      const iteration2 = (await trainer.getIterations(projectId)).find((i) => i.name === improved.iterationName);
      assertShown(await readPerformance(page), await trainer.getIterationPerformance(projectId, iteration2?.id as string, { threshold: 0.5 }), 'iteration 2 at 50%');

      // Quick test: the page shows what the API answers for the same file.
      const testImage = imageFiles('test', 'Developed')[0];
      const shown = await quickTestFile(page, testImage, improved.iterationName);
      const quick = await trainer.quickTestImage(projectId, readFileSync(testImage), { iterationId: iteration2?.id, store: false });
      const expected = [...(quick.predictions ?? [])].sort((a, b) => (b.probability ?? 0) - (a.probability ?? 0));
      assert.equal(shown[0].tagName, expected[0].tagName);
      for (const p of expected) {
        const match = shown.find((s) => s.tagName === p.tagName);
        assert.ok(match && Math.abs(match.probability - (p.probability ?? NaN)) <= SHOWN, `quick test ${p.tagName}: ${match?.probability} shown, ${p.probability} from the API`);
      }
      await portal.screenshot('05-quick-test');

      // Publish iteration 2, and call the Prediction URL exactly as the dialog shows it.
      await openPerformance(page, improved.iterationName);
      await publish(page, 'aerial');
      const urls = await readPredictionUrls(page);
      assert.equal(urls.predictionKey, PREDICTION_KEY);
      const called = await fetch(urls.imageUrl, { method: 'POST', headers: { 'Prediction-Key': urls.predictionKey, 'Content-Type': 'application/octet-stream' }, body: readFileSync(testImage) });
      assert.equal(called.status, 200, await called.clone().text());
      const answer = (await called.json()) as { predictions: { tagName: string; probability: number }[] };
      const top = [...answer.predictions].sort((a, b) => b.probability - a.probability)[0];
      assert.equal(top.tagName, shown[0].tagName, 'the endpoint agrees with the quick test');
      await page.getByRole('button', { name: 'Prediction URL' }).click();
      await portal.screenshot('06-prediction-url');
      await page.keyboard.press('Escape');

      // The improvement loop: the stored prediction becomes a training image with a tag.
      const stored = await listPredictions(page);
      assert.ok(stored.length >= 1, 'the endpoint call was stored');
      const imagesBefore = (await trainer.getImageCount(projectId)).body;
      const added = await addToTrainingImages(page, [stored[0].id], 'Developed');
      assert.equal(added.added, 1, added.messages.join('; '));
      assert.equal((await trainer.getImageCount(projectId)).body, imagesBefore + 1);
      await portal.screenshot('07-predictions');

      // Export needs a compact domain: switch, train iteration 3, export ONNX and download it.
      await switchToCompact(page);
      const compact = await train(page);
      const zipFile = await exportAndDownload(page, { platform: 'ONNX', iterationName: compact.iterationName, saveTo: OUT });
      const zip = await JSZip.loadAsync(readFileSync(zipFile));
      assert.ok(zip.file('model.onnx'), `model.onnx in ${Object.keys(zip.files).join(', ')}`);
      await portal.screenshot('08-export');

      assert.deepEqual(portal.errors, [], 'no script errors');
      assert.deepEqual(portal.refused, [], 'nothing loaded from outside the service');
    });
  });
});
