/**
 * The spec's other body formats, application/xml (and text/xml) and form-urlencoded, through raw
 * HTTP (the SDKs send JSON): each is read into the same objects a JSON body gives, and malformed
 * bodies get a 400 saying what is wrong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { serveImages, type ImageServer } from '../support/image-server';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { PUBLISH_NAME, trainSmallProject, type TrainedProject } from '../support/trained-project';

const XML = 'application/xml';
const FORM = 'application/x-www-form-urlencoded';
const DATACONTRACT = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Microsoft.CognitiveServices.CustomVision"';
const ARRAYS = 'xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays"';

describe('XML and form-urlencoded bodies', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  let images: ImageServer;
  const testImages = CLASSES.flatMap((c) => imageFiles('test', c));
  const urlOf = (i: number) => images.urlOf(testImages[i]);

  before(async () => {
    service = await startServiceProcess();
    project = await trainSmallProject(service.url, { perClass: 8 });
    images = await serveImages(testImages);
  });
  after(async () => {
    images?.close();
    await service?.stop();
  });

  /** A raw request to the Training API (or, with `prediction`, the Prediction API); the JSON answer. */
  async function send(route: string, contentType: string, body: string, { method = 'POST', prediction = false } = {}) {
    const base = prediction ? '/customvision/v3.1/prediction' : '/customvision/v3.4-preview/training';
    const key: Record<string, string> = prediction ? { 'Prediction-Key': PREDICTION_KEY } : { 'Training-Key': TRAINING_KEY };
    const response = await fetch(`${service.url}${base}${route}`, { method, headers: { ...key, 'content-type': contentType }, body });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  }
  const projectRoute = (rest: string) => `/projects/${project.projectId}${rest}`;

  async function imageById(id: string) {
    const [image] = await project.trainer.getImagesByIds(project.projectId, { imageIds: [id] });
    return { tags: (image.tags ?? []).map((t) => t.tagId).sort(), metadata: image.metadata };
  }

  it('creates images from URLs and from base64 files in XML, with tags and metadata as .NET writes them', async () => {
    const { Barren, Cultivated } = project.tagIds;
    const urls = await send(
      projectRoute('/images/urls'),
      XML,
      `<?xml version="1.0" encoding="utf-8"?><ImageUrlCreateBatch ${DATACONTRACT}>
        <Images><ImageUrlCreateEntry><Url>${urlOf(0)}?a=1&amp;b=2</Url><TagIds ${ARRAYS}><a:guid>${Barren}</a:guid><a:guid>${Cultivated}</a:guid></TagIds><Regions i:nil="true"/></ImageUrlCreateEntry></Images>
        <Metadata ${ARRAYS}><a:KeyValueOfstringstring><a:Key>source</a:Key><a:Value>xml &lt;url&gt;</a:Value></a:KeyValueOfstringstring></Metadata>
      </ImageUrlCreateBatch>`,
    );
    assert.equal(urls.status, 200, JSON.stringify(urls.body));
    assert.equal(urls.body.isBatchSuccessful, true, JSON.stringify(urls.body));
    assert.deepEqual(await imageById(urls.body.images[0].image.id), { tags: [Barren, Cultivated].sort(), metadata: { source: 'xml <url>' } });

    const files = await send(
      projectRoute('/images/files'),
      'text/xml; charset=utf-8',
      `<ImageFileCreateBatch><Images><ImageFileCreateEntry><Name>one.png</Name><Contents>${readImage(testImages[1]).toString('base64')}</Contents></ImageFileCreateEntry></Images>
        <TagIds><guid>${Cultivated}</guid></TagIds><Metadata><source>xml file</source></Metadata></ImageFileCreateBatch>`,
    );
    assert.equal(files.status, 200, JSON.stringify(files.body));
    assert.equal(files.body.images[0].status, 'OK');
    assert.deepEqual(await imageById(files.body.images[0].image.id), { tags: [Cultivated], metadata: { source: 'xml file' } });
  });

  it('creates images from URLs and tags images in form-urlencoded bodies, as ASP.NET binds them', async () => {
    const { Developed } = project.tagIds;
    const form = new URLSearchParams({ 'images[0].url': urlOf(2), 'Images[1][Url]': urlOf(3), 'metadata[source]': 'form' });
    const urls = await send(projectRoute('/images/urls'), FORM, form.toString());
    assert.equal(urls.status, 400, 'images and Images differ only in case');
    assert.match(urls.body.message, /twice/);

    const created = await send(projectRoute('/images/urls'), FORM, new URLSearchParams({ 'images[0].url': urlOf(2), 'images[1][url]': urlOf(3), 'metadata[source]': 'form' }).toString());
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const ids: string[] = created.body.images.map((i: any) => i.image.id);
    assert.equal(ids.length, 2);
    for (const id of ids) assert.deepEqual(await imageById(id), { tags: [], metadata: { source: 'form' } });

    const tags = new URLSearchParams({ 'tags[0].imageId': ids[0], 'tags[0].tagId': Developed, 'tags[1][imageId]': ids[1], 'tags[1][tagId]': Developed });
    const tagged = await send(projectRoute('/images/tags'), FORM, tags.toString());
    assert.equal(tagged.status, 200, JSON.stringify(tagged.body));
    assert.equal(tagged.body.created.length, 2);
    for (const id of ids) assert.deepEqual((await imageById(id)).tags, [Developed]);
  });

  it('quick tests and classifies an image URL in XML and form bodies, with the JSON answer', async () => {
    const url = urlOf(4);
    const scores = (body: any) => body.predictions.map((p: any) => [p.tagName, p.probability]);
    const json = await send(projectRoute('/quicktest/url?store=false'), 'application/json', JSON.stringify({ url }));
    assert.equal(json.status, 200, JSON.stringify(json.body));
    const quickXml = await send(projectRoute('/quicktest/url?store=false'), XML, `<ImageUrl ${DATACONTRACT}><Url>${url}</Url></ImageUrl>`);
    const quickForm = await send(projectRoute('/quicktest/url?store=false'), FORM, new URLSearchParams({ Url: url }).toString());
    const route = `/${project.projectId}/classify/iterations/${PUBLISH_NAME}/url/nostore`;
    const classifyXml = await send(route, 'text/xml', `<ImageUrl><url>${url}</url></ImageUrl>`, { prediction: true });
    const classifyForm = await send(route, FORM, `url=${encodeURIComponent(url)}`, { prediction: true });
    for (const answer of [quickXml, quickForm, classifyXml, classifyForm]) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(scores(answer.body), scores(json.body));
    }
    const noUrl = await send(route, FORM, 'link=x', { prediction: true });
    assert.equal(noUrl.status, 400);
    assert.equal(noUrl.body.code, 'BadRequestImageUrl');
  });

  it('reads a PredictionQueryToken, a Tag update and TrainingParameters the way JSON does', async () => {
    await project.trainer.quickTestImage(project.projectId, readImage(testImages[5]));
    await project.trainer.quickTestImage(project.projectId, readImage(testImages[6]));
    const token = { maxCount: 1, orderBy: 'Oldest', tags: [{ id: project.tagIds.Barren, minThreshold: 0, maxThreshold: 1 }] };
    const json = await send(projectRoute('/predictions/query'), 'application/json', JSON.stringify(token));
    const xml = await send(
      projectRoute('/predictions/query'),
      XML,
      `<PredictionQueryToken><MaxCount>1</MaxCount><OrderBy>Oldest</OrderBy><Tags><PredictionQueryTag><Id>${project.tagIds.Barren}</Id><MinThreshold>0</MinThreshold><MaxThreshold>1</MaxThreshold></PredictionQueryTag></Tags></PredictionQueryToken>`,
    );
    const form = await send(projectRoute('/predictions/query'), FORM, `maxCount=1&orderBy=Oldest&tags[0].id=${project.tagIds.Barren}&tags[0].minThreshold=0&tags[0].maxThreshold=1`);
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.equal(json.body.results.length, 1);
    assert.ok(json.body.token.continuation, 'two stored, one per page');
    for (const answer of [xml, form]) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.results.map((r: any) => r.id), json.body.results.map((r: any) => r.id));
      // The same query: only the session (a new one per first page) differs, and the continuation that names it.
      const same = (t: any) => ({ ...t, session: '', continuation: '' });
      assert.deepEqual(same(answer.body.token), same(json.body.token));
      const next = await send(projectRoute('/predictions/query'), 'application/json', JSON.stringify(answer.body.token));
      assert.equal(next.body.results.length, 1);
      assert.notEqual(next.body.results[0].id, json.body.results[0].id);
    }

    const renamed = await send(projectRoute(`/tags/${project.tagIds.Developed}`), FORM, 'name=Built-up&description=from+a+form', { method: 'PATCH' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.deepEqual([renamed.body.name, renamed.body.description], ['Built-up', 'from a form']);

    const base = `<TrainingParameters><CustomBaseModelInfo><ProjectId>${project.projectId}</ProjectId><IterationId>${project.iterationId}</IterationId></CustomBaseModelInfo></TrainingParameters>`;
    const train = await send(projectRoute('/train?forceTrain=true'), XML, base);
    assert.equal(train.status, 400);
    assert.equal(train.body.code, 'BadRequestNotSupported');
  });

  it('refuses malformed bodies with a 400 that says what is wrong', async () => {
    const query = projectRoute('/predictions/query');
    const cases: [string, string, RegExp][] = [
      [XML, '<PredictionQueryToken><MaxCount>1</PredictionQueryToken>', /not valid XML/],
      [XML, '<a/><b/>', /not valid XML|one root/],
      [XML, '<!DOCTYPE t [<!ENTITY x "y">]><PredictionQueryToken><OrderBy>&x;</OrderBy></PredictionQueryToken>', /DOCTYPE/],
      [XML, '<PredictionQueryToken><MaxCount>many</MaxCount></PredictionQueryToken>', /"maxCount" must be an integer/],
      [XML, '<PredictionQueryToken><constructor>x</constructor></PredictionQueryToken>', /XML body could not be read/],
      [XML, `${'<a>'.repeat(20_000)}x${'</a>'.repeat(20_000)}`, /XML body could not be read|not valid XML/],
      [XML, '<PredictionQueryToken><Tags><PredictionQueryTag><Id>x</Id><MinThreshold>high</MinThreshold></PredictionQueryTag></Tags></PredictionQueryToken>', /"tags\[0\]\.minThreshold" must be a number/],
      [FORM, 'maxCount=abc', /"maxCount" must be an integer/],
      [FORM, 'tags=abc', /"tags\[0\]" must hold fields/],
      [FORM, 'maxCount=1&maxCount=2', /"maxCount" must be a single value/],
      [FORM, 'tags[5000].id=x', /form body could not be read: Array limit exceeded/],
    ];
    for (const [type, body, message] of cases) {
      const answer = await send(query, type, body);
      assert.equal(answer.status, 400, `${body}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.code, 'BadRequest');
      assert.match(answer.body.message, message);
    }
    // An operation whose spec lists no body takes none in any format.
    const tag = await send(projectRoute('/tags?name=X'), XML, '<Tag><Name>X</Name></Tag>');
    assert.equal(tag.status, 415);
    assert.equal(tag.body.code, 'UnsupportedMediaType');
  });
});
