/** The resources file: what it lists, each problem reported with where it is, and how the service's configuration takes it. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig, type ServiceConfig } from '../../../server/config';
import { namesResource, predictionResourceName } from '../../../server/resources/resource';
import { loadResourcesFile, parseResources } from '../../../server/resources/resources-file';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvlab-resources-'));

function file(content: unknown): string {
  const name = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(name, typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

const student = (name: string, n: number) => ({ name, trainingKeys: [`t-${n}-0123456789abcdef`], predictionKeys: [`p-${n}-0123456789abcdef`] });

/** The message of the error the file's content is refused with. */
function problemsOf(content: unknown): string {
  try {
    parseResources(content, 'room.json');
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('the file was accepted');
}

describe('the resources file', () => {
  it('lists each resource with its keys and quotas', () => {
    const quotas = { maxProjects: 2, maxImagesPerProject: 500, maxIterations: 5, trainingRequestsPerSecond: 2, predictionRequestsPerSecond: 10.5 };
    const resources = loadResourcesFile(file({ resources: [{ ...student('student-01', 1), quotas }, student('instructor', 2)] }));
    assert.deepEqual(resources, [
      { ...student('student-01', 1), quotas, acceptsAnyPredictionId: false },
      { ...student('instructor', 2), quotas: {}, acceptsAnyPredictionId: false },
    ]);
  });

  it('reports every problem at once, each with where it is', () => {
    const message = problemsOf({
      resources: [
        { ...student('a', 1), colour: 'blue' },
        { ...student('A', 2) },
        { name: 'b', trainingKeys: [''], predictionKeys: [] },
        { name: 'c/d', trainingKeys: ['t-1-0123456789abcdef'], predictionKeys: ['has space'] },
        { ...student('e', 5), quotas: { maxProjects: 1.5, maxImages: 3, predictionRequestsPerSecond: -1 } },
      ],
      extra: true,
    });
    for (const expected of [
      'the file: unknown field "extra"',
      'resources[0] ("a"): unknown field "colour"',
      'resources[1] ("A"): the name is already used by resources[0] (names compare without case)',
      'resources[2] ("b").trainingKeys[0] is empty',
      'resources[2] ("b").predictionKeys must be a non-empty array of keys',
      'resources[3].name must be 1 to 64 letters, digits',
      'a key of it is also a key of resources[0] ("a")',
      'resources[3].predictionKeys[0] has spaces',
      'resources[4] ("e").quotas: unknown field "maxImages"',
      'resources[4] ("e").quotas.maxProjects must be a positive whole number, got 1.5',
      'resources[4] ("e").quotas.predictionRequestsPerSecond must be a positive number, got -1',
    ]) {
      assert.ok(message.includes(expected), `"${expected}" in:\n${message}`);
    }
  });

  it('refuses a file that is missing, not JSON, not the expected shape or empty', () => {
    assert.throws(() => loadResourcesFile(path.join(dir, 'missing.json')), /missing\.json is not valid:\n {2}- it cannot be read: ENOENT/);
    assert.throws(() => loadResourcesFile(file('{ "resources": [')), /it is not valid JSON/);
    assert.throws(() => loadResourcesFile(file([student('a', 1)])), /it must be an object \{ "resources": \[ … \] \}/);
    assert.throws(() => loadResourcesFile(file({ resources: [] })), /"resources" lists no resource/);
  });

  it('lets a key serve both APIs of one resource, as an Azure key can', () => {
    const [resource] = parseResources({ resources: [{ name: 'solo', trainingKeys: ['k-0123456789'], predictionKeys: ['k-0123456789'] }] }, 'f');
    assert.deepEqual(resource.predictionKeys, ['k-0123456789']);
  });
});

describe('publish targets', () => {
  const own = { name: 'student-01', quotas: {}, acceptsAnyPredictionId: false };
  it('are named by the resource name or an Azure resource id ending in it, without case', () => {
    assert.equal(predictionResourceName('/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/student-01/'), 'student-01');
    assert.ok(namesResource('student-01', own));
    assert.ok(namesResource('/subscriptions/local/resourceGroups/classroom/providers/Microsoft.CognitiveServices/accounts/Student-01', own));
    assert.ok(!namesResource('student-02', own));
    assert.ok(!namesResource('/subscriptions/local/resourceGroups/lab/providers/Microsoft.CognitiveServices/accounts/local-prediction', own));
    assert.ok(!namesResource('/subscriptions/x/accounts/student-01/extra', own));
  });

  it('are any predictionId for the single resource of a service without a resources file', () => {
    const config = parseConfig([], {}) as ServiceConfig;
    assert.equal(config.resources, undefined);
    assert.ok(namesResource('/subscriptions/local/resourceGroups/lab/providers/Microsoft.CognitiveServices/accounts/local-prediction', { ...own, name: 'default', acceptsAnyPredictionId: true }));
  });
});

describe('the service configuration with a resources file', () => {
  const room = file({ resources: [student('student-01', 1), student('instructor', 2)] });

  it('takes the file from --resources or CVLAB_RESOURCES, relative to the working folder', () => {
    const fromFlag = parseConfig(['--resources', path.basename(room)], {}, dir) as ServiceConfig;
    assert.deepEqual(fromFlag.resources?.map((r) => r.name), ['student-01', 'instructor']);
    const fromEnv = parseConfig([], { CVLAB_RESOURCES: room }) as ServiceConfig;
    assert.deepEqual(fromEnv.resources?.map((r) => r.name), ['student-01', 'instructor']);
  });

  it('refuses keys given besides the file, which would be ignored', () => {
    assert.throws(() => parseConfig(['--resources', room, '--training-key', 'x'], {}), /the keys are the file's: leave out --training-key/);
    assert.throws(() => parseConfig(['--resources', room], { CVLAB_PREDICTION_KEY: 'y' }), /leave out CVLAB_PREDICTION_KEY/);
  });
});
