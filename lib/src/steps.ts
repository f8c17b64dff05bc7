/**
 * @module The lab's steps as one-call helpers that print and show their results, so that each
 * notebook cell stays a line or two. Each is built from the smaller helpers of this package.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import type { Lab } from './clients';
import { imagesOf, testImages, TAGS } from './dataset';
import { showHtml, showPlot, showTable } from './display';
import { compareChart, confusionChart, confusionMatrix, perTagChart, performanceRows, thresholdChart, thresholdSweep } from './evaluation';
import { imageGridHtml } from './grid';
import { findOrCreateProject, findOrCreateTags } from './projects';
import { allImagePerformances, findSuspects, retag, type Suspect } from './review';
import { latestCompletedIteration, trainAndWait } from './training';
import { progressBar, uploadImages } from './upload';

/** The lab's project name; every notebook finds the project by it. */
export const PROJECT_NAME = 'Aerial land use (lab)';

const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(1)}%`;

/** Uploads the training images of each tag (Developed-SecondBatch too when asked), printing progress. */
export async function uploadTrainingImages(lab: Lab, projectId: string, tagIds: Record<string, string>, folders: { folder: string; tag: string }[]): Promise<void> {
  for (const { folder, tag } of folders) {
    const files = imagesOf('train', folder);
    const result = await uploadImages(lab.trainer, projectId, files, tagIds[tag], {
      onProgress: (p) => console.log(`${folder.padEnd(22)} ${progressBar(p.done, p.total)}  new ${p.added}, already there ${p.duplicates}`),
    });
    for (const f of result.failed) console.log(`  ! ${f.file}: ${f.status}`);
  }
}

/** Trains and waits, printing the status and elapsed time as it goes. */
export async function train(lab: Lab, projectId: string): Promise<TrainingAPIModels.Iteration> {
  let lastStatus = '';
  let lastPrintedAt = -Infinity;
  const iteration = await trainAndWait(lab.trainer, projectId, {
    pollIntervalInMs: 1000,
    // A line when the status changes, and every 5 s while it does not.
    onProgress: ({ iteration: it, elapsedInMs }) => {
      if (it.status === lastStatus && elapsedInMs - lastPrintedAt < 5000) return;
      console.log(`${it.name}: ${it.status} (${(elapsedInMs / 1000).toFixed(0)} s)`);
      lastStatus = it.status as string;
      lastPrintedAt = elapsedInMs;
    },
  });
  console.log(`${iteration.name} is ${iteration.status}, trained at ${iteration.trainedAt?.toISOString()}`);
  return iteration;
}

/** Overall and per-tag precision/recall at a threshold, as a table and a chart. */
export async function showPerformance(lab: Lab, projectId: string, iteration: TrainingAPIModels.Iteration, threshold = 0.5): Promise<TrainingAPIModels.IterationPerformance> {
  const performance = await lab.trainer.getIterationPerformance(projectId, iteration.id as string, { threshold });
  console.log(`${iteration.name}: precision ${pct(performance.precision)}, recall ${pct(performance.recall)}, average precision ${pct(performance.averagePrecision ?? undefined)} at threshold ${threshold}`);
  const { headers, rows } = performanceRows(performance);
  showTable(headers, rows, `${iteration.name} at probability threshold ${threshold} (cross-validated)`);
  showPlot(perTagChart(performance, `${iteration.name}: precision and recall per tag (threshold ${threshold})`));
  return performance;
}

export async function showThresholdChart(lab: Lab, projectId: string, iteration: TrainingAPIModels.Iteration): Promise<void> {
  showPlot(thresholdChart(await thresholdSweep(lab.trainer, projectId, iteration.id as string), `${iteration.name}: precision and recall against the threshold`));
}

export async function showConfusionMatrix(lab: Lab, projectId: string, iteration: TrainingAPIModels.Iteration): Promise<void> {
  const performances = await allImagePerformances(lab.trainer, projectId, iteration.id as string);
  showPlot(confusionChart(confusionMatrix(performances, [...TAGS]), [...TAGS], `${iteration.name}: confusion matrix of held-out predictions`), 380);
}

/** Quick-tests the test images against an iteration (not published) and shows them in a grid. */
export async function quickTest(lab: Lab, projectId: string, iteration: TrainingAPIModels.Iteration, perTag = 4): Promise<{ file: string; tag: string; predicted: string; probability: number }[]> {
  const images = testImages();
  const chosen = TAGS.flatMap((tag) => images.filter((t) => t.tag === tag).slice(0, perTag));
  const results = [];
  for (const { file, tag } of chosen) {
    const prediction = await lab.trainer.quickTestImage(projectId, readFileSync(file), { iterationId: iteration.id, store: false });
    const top = prediction.predictions?.[0];
    results.push({ file, tag, predicted: top?.tagName as string, probability: top?.probability as number });
  }
  showHtml(await imageGridHtml(results.map((r) => ({ source: r.file, caption: `true: ${r.tag}\npredicted: ${r.predicted} ${pct(r.probability)}`, correct: r.tag === r.predicted })), { columns: 6 }));
  console.log(`${results.filter((r) => r.tag === r.predicted).length}/${results.length} right`);
  return results;
}

/** Shows the training images a model that never saw them confidently calls something else. */
export async function showSuspects(lab: Lab, projectId: string, iteration: TrainingAPIModels.Iteration, tagIds: Record<string, string>, tag = 'Developed'): Promise<Suspect[]> {
  const suspects = await findSuspects(lab.trainer, projectId, iteration.id as string, { tagId: tagIds[tag], minProbability: 0.8 });
  if (suspects.length === 0) {
    console.log(`No ${tag} image looks mislabelled to ${iteration.name}.`);
    return suspects;
  }
  showHtml(await imageGridHtml(suspects.map((s) => ({ source: s.thumbnailUri, caption: `tagged ${s.tag}\nlooks ${s.predicted} ${pct(s.probability)}` })), { columns: 6 }));
  console.log(`${suspects.length} ${tag} image(s) look mislabelled.`);
  return suspects;
}

/** Retags each suspect with the tag the model saw in it. */
export async function retagSuspects(lab: Lab, projectId: string, suspects: Suspect[], tagIds: Record<string, string>, fromTag = 'Developed'): Promise<void> {
  for (const tag of TAGS) {
    const ids = suspects.filter((s) => s.predicted === tag).map((s) => s.imageId);
    if (ids.length) console.log(`${fromTag} -> ${tag}: ${await retag(lab.trainer, projectId, ids, tagIds[fromTag], tagIds[tag])} image(s)`);
  }
}

export function showComparison(named: { name: string; performance: TrainingAPIModels.IterationPerformance }[]): void {
  showTable(
    ['iteration', 'precision', 'recall', 'average precision'],
    named.map(({ name, performance }) => [name, pct(performance.precision), pct(performance.recall), pct(performance.averagePrecision ?? undefined)]),
    'Iterations compared (threshold 0.5)',
  );
  showPlot(compareChart(named));
}

/**
 * The lab's project with a trained iteration, for notebooks 2 and 3: found by name, or made
 * as notebook 1 makes it (create, tag, upload, train) when missing.
 */
export async function ensureTrainedProject(lab: Lab): Promise<{ project: TrainingAPIModels.Project; tagIds: Record<string, string>; iteration: TrainingAPIModels.Iteration }> {
  const { project, created } = await findOrCreateProject(lab.trainer, PROJECT_NAME, { domainName: 'General', classificationType: 'Multiclass' });
  const tagIds = await findOrCreateTags(lab.trainer, project.id as string, TAGS);
  let iteration = created ? undefined : await latestCompletedIteration(lab.trainer, project.id as string);
  if (!iteration) {
    console.log(`Project "${PROJECT_NAME}" has no trained iteration: uploading and training as in notebook 1.`);
    await uploadTrainingImages(lab, project.id as string, tagIds, TAGS.map((tag) => ({ folder: tag, tag })));
    iteration = await train(lab, project.id as string);
  }
  console.log(`Project "${project.name}" (${project.id}), latest iteration: ${iteration.name}`);
  return { project, tagIds, iteration };
}

/** Predicts every test image through the SDK and shows them in a grid titled with the predicted tag and probability. */
export async function predictionGrid(lab: Lab, projectId: string, publishName: string): Promise<{ file: string; tag: string; predicted: string; probability: number }[]> {
  const results = [];
  for (const { file, tag } of testImages()) {
    const prediction = await lab.predictor.classifyImageWithNoStore(projectId, publishName, readFileSync(file));
    const top = prediction.predictions?.[0];
    results.push({ file, tag, predicted: top?.tagName as string, probability: top?.probability as number });
  }
  showHtml(
    await imageGridHtml(
      results.map((r) => ({ source: r.file, caption: `${path.basename(r.file)}\n${r.predicted} ${pct(r.probability)}`, correct: r.tag === r.predicted })),
      { columns: 10, size: 80 },
    ),
  );
  console.log(`${results.filter((r) => r.tag === r.predicted).length}/${results.length} test images predicted right`);
  return results;
}
