/**
 * @module The portal's safety, in a real browser against the real service: the headers every answer
 * carries, a wrong key (the portal says so and loads nothing), names that look like HTML (shown as
 * text, never run), and an upload with a corrupt image among good ones (that file is reported, the
 * rest land).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { imageFiles } from '../support/dataset';
import { createTags, showTag, tagCounts, uploadImages } from '../support/portal/images';
import { listedProjects, openProject } from '../support/portal/projects';
import { signIn, withPortal, withPortalPage } from '../support/portal/session';
import { browserPrerequisite, skipUnlessRequired } from '../support/prerequisites';
import { trainingClient } from '../support/sdk';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';

const OUT = path.join(PROJECT_ROOT, 'out', 'portal-test', 'security');
const skip = skipUnlessRequired(browserPrerequisite(), 'BROWSER');
const HTML_NAME = '<img src=x onerror=alert(1)>';

describe('the portal is served safely', { skip }, () => {
  let service: ServiceProcess;
  before(async () => {
    service = await startServiceProcess();
  });
  after(async () => {
    await service?.stop();
  });

  it('the page, its assets and the API carry nosniff and a Content-Security-Policy; the page has no inline script or style', async () => {
    const pageAnswer = await fetch(`${service.url}/`);
    assert.equal(pageAnswer.status, 200);
    assert.match(pageAnswer.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(pageAnswer.headers.get('x-content-type-options'), 'nosniff');
    const csp = pageAnswer.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(pageAnswer.headers.get('cache-control'), 'no-cache');
    const html = await pageAnswer.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
    assert.doesNotMatch(html, /<style|style=/i, 'no inline style');

    const assets = [...html.matchAll(/(?:src|href)="(\/portal\/[^"]+)"/g)].map((m) => m[1]);
    assert.equal(assets.length, 2, 'one script and one style sheet');
    for (const asset of assets) {
      const answer = await fetch(`${service.url}${asset}`);
      assert.equal(answer.status, 200, asset);
      assert.match(answer.headers.get('content-type') ?? '', asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.match(answer.headers.get('cache-control') ?? '', /immutable/);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
    }
    const unknown = await fetch(`${service.url}/portal/app-XXXXXXXX.js`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { code: string }).code, 'NotFound');

    for (const key of [undefined, TRAINING_KEY]) {
      const api = await fetch(`${service.url}/customvision/v3.3/training/projects`, { headers: key ? { 'Training-Key': key } : {} });
      assert.equal(api.status, key ? 200 : 401);
      assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
      assert.match(api.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    }
  });

  it('a wrong training key: the portal says so and loads nothing; no key ever appears in an address or the log', { timeout: 120_000 }, async () => {
    const trainer = trainingClient(service.url);
    await trainer.createProject('Only with the right key');
    await withPortalPage(service.url, OUT, async ({ page, errors, screenshot }) => {
      const addresses: string[] = [];
      page.on('request', (request) => addresses.push(request.url()));
      await signIn(page, { trainingKey: 'not-the-key' });
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /refused|denied|invalid/i);
      assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'still signed out');
      assert.equal(await page.getByText('Only with the right key').count(), 0, 'no project shown');
      await screenshot('wrong-key');

      await signIn(page, { trainingKey: TRAINING_KEY, predictionKey: PREDICTION_KEY });
      await page.getByText('Only with the right key').first().waitFor();
      assert.ok(addresses.every((a) => !a.includes(TRAINING_KEY) && !a.includes(PREDICTION_KEY) && !a.includes('not-the-key')), 'keys never in a URL');
      assert.ok(!page.url().includes(TRAINING_KEY));
      assert.deepEqual(errors, []);
    });
    assert.ok(!service.output().includes(TRAINING_KEY) && !service.output().includes('not-the-key'), 'keys never in the log');
  });

  it('project, tag and image names that look like HTML are shown as text and never run', { timeout: 120_000 }, async () => {
    const trainer = trainingClient(service.url);
    const project = await trainer.createProject(HTML_NAME, { description: '<script>alert(2)</script>' });
    await withPortal(service.url, { trainingKey: TRAINING_KEY }, OUT, async ({ page, errors, screenshot }) => {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const listed = await listedProjects(page);
      assert.ok(listed.some((p) => p.name === HTML_NAME), `the name is listed as text: ${JSON.stringify(listed)}`);
      await openProject(page, HTML_NAME);
      await createTags(page, [HTML_NAME]);
      const report = await uploadImages(page, imageFiles('train', 'Barren').slice(0, 2), [HTML_NAME]);
      assert.equal(report.uploaded, 2);
      assert.equal((await tagCounts(page))[HTML_NAME], 2);
      await showTag(page, HTML_NAME);
      assert.ok((await page.getByText(HTML_NAME, { exact: true }).count()) >= 2, 'heading and tag shown as literal text');
      assert.equal(await page.locator('img[src="x"], script:not([src])').count(), 0, 'no element made from a name');
      await screenshot('html-names');
      assert.deepEqual(dialogs, [], 'no script ran');
      assert.deepEqual(errors, []);
    });
    const tags = await trainer.getTags(project.id as string);
    assert.deepEqual(tags.map((t) => t.name), [HTML_NAME], 'the name is stored as given');
  });

  it('an upload with a corrupt image: that file is reported with the API\'s reason, the others land', { timeout: 120_000 }, async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'cvlab-portal-upload-'));
    const corrupt = path.join(folder, 'corrupt.png');
    writeFileSync(corrupt, Buffer.concat([readFileSync(imageFiles('train', 'Developed')[0]).subarray(0, 40), Buffer.alloc(200, 7)]));
    const good = imageFiles('train', 'Developed').slice(1, 4);
    const trainer = trainingClient(service.url);
    const project = await trainer.createProject('Corrupt upload');
    await withPortal(service.url, { trainingKey: TRAINING_KEY }, OUT, async ({ page, errors, screenshot }) => {
      await openProject(page, 'Corrupt upload');
      await createTags(page, ['Developed']);
      const report = await uploadImages(page, [good[0], corrupt, ...good.slice(1)], ['Developed']);
      assert.equal(report.uploaded, 3);
      assert.equal(report.failed.length, 1);
      assert.equal(report.failed[0].file, 'corrupt.png');
      assert.match(report.failed[0].message, /ErrorImageFormat|format|decode|corrupt/i);
      await screenshot('corrupt-upload');
      assert.deepEqual(errors, []);
    });
    assert.equal((await trainer.getImageCount(project.id as string)).body, 3, 'the good images landed');
  });
});
