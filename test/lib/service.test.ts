/**
 * The lib's service helpers against the real local service: starting it, re-runnable setup, upload
 * with its options, and the waits for training and exports: their options, abort and timeout.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { connect, type Lab } from '../../lib/src/clients';
import { loadConfig } from '../../lib/src/config';
import { TAGS, trainingImages } from '../../lib/src/dataset';
import { exportAndWait, type ExportProgress } from '../../lib/src/export';
import { ensureLocalService, startLocalService } from '../../lib/src/local-service';
import { ensureTrainedProject, findOrCreateProject, findOrCreateTags, PROJECT_NAME, setProjectDomain } from '../../lib/src/projects';
import { latestIteration, trainAndWait, type TrainProgress } from '../../lib/src/training';
import { LOCAL_SERVICE, PROJECT_ROOT } from '../../lib/src/shared';
import { uploadImages, type UploadProgress } from '../../lib/src/upload';
import { isRunning, signalProcessTree } from '../../scripts/process/run-command';
import { freePort } from '../support/net';
import { PREDICTION_KEY, startServiceProcess, tempDataDir, TRAINING_KEY, type ServiceProcess } from '../support/service-process';

/**
 * Runs a wait and aborts it 100 ms after its first progress report, that is during its pause (the
 * interval is long); returns the error and how long after the abort the wait ended.
 */
async function abortDuringPause(run: (abortSignal: AbortSignal, report: () => void) => Promise<unknown>): Promise<{ error: Error; settledAfterAbortInMs: number }> {
  const controller = new AbortController();
  let abortedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const report = () => {
    timer ??= setTimeout(() => {
      abortedAt = Date.now();
      controller.abort();
    }, 100);
  };
  try {
    await run(controller.signal, report);
  } catch (error) {
    assert.ok(abortedAt > 0, `failed before the abort: ${String(error)}`);
    return { error: error as Error, settledAfterAbortInMs: Date.now() - abortedAt };
  } finally {
    clearTimeout(timer);
  }
  assert.fail('the wait ended without the abort');
}

describe('lib helpers with the local service', () => {
  let service: ServiceProcess;
  let lab: Lab;
  let project: TrainingAPIModels.Project;
  let tags: Record<string, TrainingAPIModels.Tag>;
  before(async () => {
    service = await startServiceProcess();
    const config = loadConfig({ CVLAB_LOCAL_ENDPOINT: service.url, CVLAB_TRAINING_KEY: TRAINING_KEY, CVLAB_PREDICTION_KEY: PREDICTION_KEY }, '/nonexistent/.env');
    lab = await connect(config);
  });
  after(async () => {
    await service?.stop();
  });

  it('connects to a running service without starting another', () => {
    assert.match(lab.describe(), /already running/);
  });

  it('finds the project and tags by name on a second run instead of duplicating them', async () => {
    const first = await findOrCreateProject(lab, 'lib test', { domainName: 'General' });
    const second = await findOrCreateProject(lab, 'lib test');
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.project.id, first.project.id);
    project = first.project;
    tags = await findOrCreateTags(lab, project, ['Barren', 'Cultivated']);
    assert.deepEqual(await findOrCreateTags(lab, project.id as string, ['Barren', 'Cultivated']), tags);
    assert.equal((await lab.trainer.getTags(project.id as string)).length, 2);
    await assert.rejects(findOrCreateProject(lab, 'x', { domainName: 'No such domain' }), /No classification domain named/);
  });

  it('uploads in batches of batchSize (at most 64) with progress, and a re-run adds nothing', async () => {
    const seen: UploadProgress[] = [];
    const files = trainingImages('Barren').slice(0, 70);
    const result = await uploadImages(lab, project, files, tags.Barren, { onProgress: (p) => seen.push(p) });
    assert.deepEqual(seen.map((p) => p.done), [64, 70]);
    assert.equal(result.added, 70);
    const batches: number[] = [];
    const again = await uploadImages(lab, project, files, tags.Barren, { batchSize: 30, onProgress: (p) => batches.push(p.done) });
    assert.deepEqual(batches, [30, 60, 70]);
    assert.deepEqual([again.added, again.duplicates, again.failed.length], [0, 70, 0]);
    assert.equal((await uploadImages(lab, project, files.slice(0, 3), tags.Barren, { batchSize: 500 })).done, 3, 'more than 64 is capped, not refused');
    await uploadImages(lab, project, trainingImages('Cultivated').slice(0, 70), tags.Cultivated);
  });

  it('trains and waits with onProgress at each poll; a second call with nothing new returns the latest iteration', async () => {
    const seen: TrainProgress[] = [];
    const iteration = await trainAndWait(lab, project, { pollIntervalInMs: 100, onProgress: (p) => seen.push(p) });
    assert.equal(iteration.status, 'Completed');
    assert.equal(seen[0].iteration.status, 'Training', 'reported once requested');
    assert.equal(seen[seen.length - 1].iteration.status, 'Completed');
    assert.ok(seen.length >= 3, `polled every 100 ms: ${seen.length} reports`);
    assert.ok(seen.every((p, i) => i === 0 || p.elapsedInMs >= seen[i - 1].elapsedInMs));
    const again = await trainAndWait(lab, project.id as string);
    assert.equal(again.id, iteration.id);
    assert.equal((await latestIteration(lab, project))?.id, iteration.id);
  });

  it('an abort ends the training wait at once with an AbortError; waiting again waits for that iteration, not a new one', async () => {
    await uploadImages(lab, project, trainingImages('Barren').slice(70, 80), tags.Barren);
    const seen: TrainProgress[] = [];
    const { error, settledAfterAbortInMs } = await abortDuringPause((abortSignal, report) =>
      trainAndWait(lab, project, { pollIntervalInMs: 60_000, abortSignal, onProgress: (p) => (seen.push(p), report()) }),
    );
    assert.equal(error.name, 'AbortError', String(error));
    assert.match(error.message, /aborted \(Iteration \d+ is still Training\)/);
    // Far below the 60 s poll interval, with room for a busy machine.
    assert.ok(settledAfterAbortInMs < 10_000, `ended ${settledAfterAbortInMs} ms after the abort, not at the next poll`);
    const interrupted = seen[0].iteration;
    assert.equal(interrupted.status, 'Training');
    const resumed = await trainAndWait(lab, project, { pollIntervalInMs: 100 });
    assert.equal(resumed.id, interrupted.id, 'the iteration in progress, not a new one');
    assert.equal(resumed.status, 'Completed');
  });

  it('gives up at timeoutInMs with a TimeoutError that names the duration', async () => {
    await uploadImages(lab, project, trainingImages('Cultivated').slice(70, 80), tags.Cultivated);
    const started = Date.now();
    // The deadline falls in the (long) pause, whether or not the service is done by then; on a busy
    // machine it may fall while trainProject is still in flight, before the iteration is known.
    await assert.rejects(trainAndWait(lab, project, { timeoutInMs: 1000, pollIntervalInMs: 60_000 }), (error: Error) => {
      assert.equal(error.name, 'TimeoutError');
      assert.match(error.message, /^(The project is still training|Iteration \d+ is still Training) after 1 s \(timeoutInMs: 1000\)/);
      return true;
    });
    // Without the deadline the wait would last at least the 60 s pause.
    const waitedInMs = Date.now() - started;
    assert.ok(waitedInMs < 10_000, `the deadline cuts the pause short: ${waitedInMs} ms`);
    assert.equal((await trainAndWait(lab, project, { pollIntervalInMs: 100 })).status, 'Completed');
  });

  it('ensureTrainedProject makes and trains the lab project as notebook 1 would, then finds it', async (t) => {
    // A small copy of the dataset (8 images per tag), so that the first training is quick.
    const assets = mkdtempSync(path.join(os.tmpdir(), 'cvlab-assets-'));
    for (const tag of TAGS) {
      const folder = path.join(assets, 'datasets', 'aerial-small', 'train', tag);
      mkdirSync(folder, { recursive: true });
      for (const file of trainingImages(tag).slice(0, 8)) copyFileSync(file, path.join(folder, path.basename(file)));
    }
    const saved = process.env.CVLAB_ASSETS_DIR;
    process.env.CVLAB_ASSETS_DIR = assets;
    const lines: string[] = [];
    t.mock.method(console, 'log', (line: unknown) => lines.push(String(line)));
    try {
      const made = await ensureTrainedProject(lab, { pollIntervalInMs: 100 });
      assert.equal(made.project.name, PROJECT_NAME);
      assert.deepEqual(Object.keys(made.tags), [...TAGS]);
      assert.equal(made.iteration.status, 'Completed');
      assert.equal((await lab.trainer.getTaggedImageCount(made.project.id as string)).body, 24);
      assert.match(lines.join('\n'), /has no trained iteration: uploading and training as in notebook 1\.\n(.*\n){3}Iteration 1: Training \(\d+ s\)\n(.*\n)*Iteration 1: Completed/);
      const found = await ensureTrainedProject(lab);
      assert.deepEqual([found.project.id, found.iteration.id], [made.project.id, made.iteration.id]);
      assert.match(lines[lines.length - 1], new RegExp(`^Project "${PROJECT_NAME.replace(/[()]/g, '\\$&')}" \\(${made.project.id}\\), latest iteration: Iteration 1$`));
    } finally {
      t.mock.restoreAll();
      if (saved === undefined) delete process.env.CVLAB_ASSETS_DIR;
      else process.env.CVLAB_ASSETS_DIR = saved;
    }
  });

  it('switches the project to a compact domain', async () => {
    const updated = await setProjectDomain(lab, project, 'General (compact)');
    assert.equal(updated.settings?.domainId, '0732100f-1a38-4e49-a514-c9b44c697ab5');
  });

  it('an abort ends the export wait at once with an AbortError; waiting again reuses the export and reports each poll', async () => {
    const compact = await trainAndWait(lab, project, { pollIntervalInMs: 100 });
    const { error, settledAfterAbortInMs } = await abortDuringPause((abortSignal, report) =>
      exportAndWait(lab, project, compact, 'ONNX', { pollIntervalInMs: 60_000, abortSignal, onProgress: report }),
    );
    assert.equal(error.name, 'AbortError', String(error));
    assert.match(error.message, /aborted \(The ONNX export is still Exporting\)/);
    assert.ok(settledAfterAbortInMs < 10_000, `ended ${settledAfterAbortInMs} ms after the abort`);
    const seen: ExportProgress[] = [];
    const done = await exportAndWait(lab, project.id as string, compact.id as string, 'ONNX', { pollIntervalInMs: 100, onProgress: (p) => seen.push(p) });
    assert.equal(done.status, 'Done');
    assert.ok(done.downloadUri);
    assert.equal(seen[seen.length - 1].exported.status, 'Done');
    assert.equal((await lab.trainer.getExports(project.id as string, compact.id as string)).length, 1, 'one export: the second wait found the first request');
  });
});

describe('the lab starting the local service', () => {
  /** Stops the service and npm above it: the whole process group on POSIX, the process tree on Windows. */
  async function stopGroup(child: ChildProcess): Promise<void> {
    const pid = child.pid as number;
    signalProcessTree(pid, 'SIGTERM');
    // On POSIX, wait for the whole group npm leads (`-pid`: the service too), not npm alone.
    const group = process.platform === 'win32' ? pid : -pid;
    for (let i = 0; i < 120 && isRunning(group); i++) await new Promise((r) => setTimeout(r, 250));
    if (isRunning(group)) signalProcessTree(pid, 'SIGKILL');
  }

  it('starts it with `npm run serve` on the configured address and keys, in the background, logging to .data/service.log', async () => {
    const port = await freePort();
    const config = loadConfig({ CVLAB_LOCAL_ENDPOINT: `http://127.0.0.1:${port}`, CVLAB_TRAINING_KEY: 'lab-t', CVLAB_PREDICTION_KEY: 'lab-p' }, '/nonexistent/.env');
    const log = path.join(PROJECT_ROOT, LOCAL_SERVICE.log);
    const logged = statSync(log, { throwIfNoEntry: false })?.size ?? 0;
    const savedDataDir = process.env.CVLAB_DATA_DIR;
    process.env.CVLAB_DATA_DIR = tempDataDir();
    let child: ChildProcess | undefined;
    try {
      child = await startLocalService(config);
    } finally {
      if (savedDataDir === undefined) delete process.env.CVLAB_DATA_DIR;
      else process.env.CVLAB_DATA_DIR = savedDataDir;
    }
    try {
      assert.match(child.spawnargs.join(' '), new RegExp(`npm(\\.cmd)? run ${LOCAL_SERVICE.script}$`));
      assert.equal(await ensureLocalService(config), 'running', 'a second call finds it running');
      const output = readFileSync(log, 'utf8').slice(logged);
      assert.match(output, new RegExp(`^> \\S+ ${LOCAL_SERVICE.script}$`, 'm'), 'npm ran the package script');
      assert.match(output, new RegExp(`listening on http://127\\.0\\.0\\.1:${port} `));
      const refused = loadConfig({ CVLAB_LOCAL_ENDPOINT: config.trainingEndpoint, CVLAB_TRAINING_KEY: 'other' }, '/nonexistent/.env');
      await assert.rejects(ensureLocalService(refused), /refuses the training key/);
    } finally {
      await stopGroup(child);
    }
  });
});
