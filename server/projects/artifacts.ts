/**
 * @module GetArtifact: what an iteration's training produced that a user may want, under
 * `iterations/<iterationId>/training-summary.json` (JSON) and `iterations/<iterationId>/training-log.txt`.
 */
import { badRequest } from '../errors';
import type { SnapshotImage } from '../store/repositories';
import { findDomain } from './domains';
import { iterationModel, onCurrentBackbone } from './heads';
import { iterationRow } from './iterations';
import { iterationPerformance } from './performance';
import type { Store } from './context';

export interface Artifact {
  contentType: string;
  body: Buffer;
}

/** The threshold the summary's cross-validated figures are given at (the portal's default). */
const SUMMARY_THRESHOLD = 0.5;

const FILES: Record<string, (summary: TrainingSummary) => Artifact> = {
  'training-summary.json': (summary) => ({ contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(summary, null, 2)) }),
  'training-log.txt': (summary) => ({ contentType: 'text/plain; charset=utf-8', body: Buffer.from(trainingLog(summary)) }),
};

const PATH = /^\/?iterations\/([^/]+)\/([^/]+)$/;

/** Recorded by the training queue since the service recorded it; null for iterations trained before. */
interface RunDetails {
  startedAt: string;
  timings: { featureMs: number; fitMs: number; embeddedImages: number; cachedImages: number };
  lambda: number;
  backbone: string;
  featureDim: number;
  config: { folds: number; lambdas: number[] } & Record<string, unknown>;
}

export function getArtifact(store: Store, projectId: string, path: string): Artifact {
  const match = PATH.exec(path);
  const render = match ? FILES[match[2]] : undefined;
  if (!match || !render) {
    throw badRequest(
      'BadRequestInvalidArtifactUri',
      `No artifact at "${path}": the local service serves ${Object.keys(FILES).map((f) => `iterations/<iterationId>/${f}`).join(' and ')}.`,
    );
  }
  return render(trainingSummary(store, projectId, match[1]));
}

type TrainingSummary = ReturnType<typeof trainingSummary>;

function trainingSummary(store: Store, projectId: string, iterationId: string) {
  const iteration = iterationRow(store, projectId, iterationId);
  if (iteration.status === 'Training') {
    throw badRequest('BadRequestIterationIsNotTrained', `Iteration "${iteration.name}" is still training: its training artifacts exist once it is Completed or Failed.`);
  }
  const completed = iteration.status === 'Completed';
  const tags = store.iterations.snapshotTags(iteration.id);
  // A Failed iteration has no folds: its images carry none.
  // Images removed from every iteration since (deleteImages with allIterations) are left out, as in listings.
  const images: (SnapshotImage & { fold?: number })[] = completed ? store.iterations.heldOutImages(iteration.id) : store.iterations.snapshotImages(iteration.id).filter((i) => !i.removed);
  const model = iterationModel(store, iteration.id);
  const run = (store.trainingRuns.details(iteration.id) as RunDetails | null | undefined) ?? null;
  const foldSizes = new Map<number, number>();
  for (const { fold } of images) if (fold !== undefined) foldSizes.set(fold, (foldSizes.get(fold) ?? 0) + 1);
  return {
    iteration: {
      id: iteration.id,
      name: iteration.name,
      status: iteration.status,
      created: iteration.created,
      trainedAt: iteration.trainedAt,
      trainingTimeMs: iteration.trainingTimeMs,
      trainingError: iteration.trainingError,
      domain: { id: iteration.domainId, name: findDomain(iteration.domainId)?.name ?? null },
      classificationType: iteration.classificationType,
      trainingType: iteration.trainingType,
    },
    tags: tags.map((t) => ({ ...t, imageCount: images.filter((i) => i.tagIds.includes(t.id)).length })),
    imageCount: images.length,
    folds: [...foldSizes.entries()].sort(([a], [b]) => a - b).map(([fold, count]) => ({ fold, imageCount: count })),
    backbone: model ? { fingerprint: model.backbone ?? null, current: onCurrentBackbone(store, model) } : null,
    run,
    crossValidation: completed ? { threshold: SUMMARY_THRESHOLD, ...iterationPerformance(store, projectId, iteration.id, SUMMARY_THRESHOLD) } : null,
    images: images.map((i) => ({ imageId: i.imageId, tagIds: i.tagIds, fold: i.fold ?? null })),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The summary as lines a person reads: what was trained on, how long each step took, what came out. */
function trainingLog(s: TrainingSummary): string {
  const it = s.iteration;
  const lines = [`${s.run?.startedAt ?? it.created} iteration "${it.name}" (${it.id}): ${it.classificationType}, domain ${it.domain.name ?? it.domain.id}, ${it.trainingType} training`];
  lines.push(`  ${s.imageCount} images, ${s.tags.length} tags: ${s.tags.map((t) => `${t.name} ${t.imageCount}`).join(', ')}`);
  if (s.run) {
    const { timings: t, config } = s.run;
    lines.push(`  features: ${t.embeddedImages} images through the backbone, ${t.cachedImages} from the cache, ${t.featureMs.toFixed(0)} ms (backbone ${s.run.backbone})`);
    lines.push(`  head and ${config.folds}-fold cross-validation: ${t.fitMs.toFixed(0)} ms, L2 penalty ${s.run.lambda} chosen among ${config.lambdas.join(', ')}`);
  }
  if (s.folds.length) lines.push(`  folds: ${s.folds.map((f) => `${f.fold}: ${f.imageCount} images`).join(', ')}`);
  const cv = s.crossValidation;
  if (cv) {
    lines.push(`  cross-validated at ${cv.threshold}: precision ${pct(cv.precision)}, recall ${pct(cv.recall)}, average precision ${pct(cv.averagePrecision ?? 0)}`);
    for (const tag of cv.perTagPerformance) lines.push(`    ${tag.name}: precision ${pct(tag.precision)}, recall ${pct(tag.recall)}`);
  }
  lines.push(it.status === 'Completed' ? `${it.trainedAt} Completed in ${it.trainingTimeMs} ms` : `${it.status}: ${it.trainingError ?? 'no reason recorded'}`);
  return `${lines.join('\n')}\n`;
}
