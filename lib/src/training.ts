/** @module Training an iteration and waiting for it, with progress; re-runs reuse the latest iteration when nothing changed. */
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';

export interface TrainProgress {
  iteration: TrainingAPIModels.Iteration;
  elapsedInMs: number;
}

export interface TrainOptions {
  pollIntervalInMs?: number;
  timeoutInMs?: number;
  onProgress?: (progress: TrainProgress) => void;
  abortSignal?: AbortSignal;
}

function isTrainingNotNeeded(error: unknown): boolean {
  return (error as { code?: string }).code === 'BadRequestTrainingNotNeeded';
}

/** The newest completed iteration, if any. */
export async function latestCompletedIteration(trainer: TrainingAPIClient, projectId: string): Promise<TrainingAPIModels.Iteration | undefined> {
  const iterations = (await trainer.getIterations(projectId)).filter((i) => i.status === 'Completed');
  iterations.sort((a, b) => (b.trainedAt?.getTime() ?? 0) - (a.trainedAt?.getTime() ?? 0));
  return iterations[0];
}

/**
 * Starts training and polls until the iteration is no longer Training. When nothing changed since
 * the last iteration (a re-run), returns that iteration instead of failing. Throws if training fails.
 */
export async function trainAndWait(trainer: TrainingAPIClient, projectId: string, options: TrainOptions = {}): Promise<TrainingAPIModels.Iteration> {
  let iteration: TrainingAPIModels.Iteration;
  try {
    iteration = await trainer.trainProject(projectId);
  } catch (error) {
    if (!isTrainingNotNeeded(error)) throw error;
    const latest = await latestCompletedIteration(trainer, projectId);
    if (!latest) throw error;
    options.onProgress?.({ iteration: latest, elapsedInMs: 0 });
    return latest;
  }
  const started = Date.now();
  const poll = options.pollIntervalInMs ?? 1000;
  while (iteration.status === 'Training') {
    if (options.abortSignal?.aborted) throw new Error('training wait aborted');
    if (Date.now() - started > (options.timeoutInMs ?? 30 * 60_000)) throw new Error(`iteration ${iteration.name} still training after ${options.timeoutInMs} ms`);
    options.onProgress?.({ iteration, elapsedInMs: Date.now() - started });
    await new Promise((r) => setTimeout(r, poll));
    iteration = await trainer.getIteration(projectId, iteration.id as string);
  }
  options.onProgress?.({ iteration, elapsedInMs: Date.now() - started });
  if (iteration.status !== 'Completed') throw new Error(`${iteration.name} ${iteration.status}: ${iteration.trainingErrorDetails ?? 'no details'}`);
  return iteration;
}
