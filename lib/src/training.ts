/** @module Training an iteration and waiting for it; a re-run with nothing new reuses the latest iteration, and `firstIteration` finds the first. */
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { idOf, type Lab, type Ref } from './clients';
import { sdkOptions, waitWith, type WaitOptions } from './waiting';

type Iteration = TrainingAPIModels.Iteration;

/** What `trainAndWait` reports at each poll. */
export interface TrainProgress {
  iteration: Iteration;
  elapsedInMs: number;
}

/** `trainAndWait`'s options: the wait's (`pollIntervalInMs`, default 1000; `timeoutInMs`, default 30 min; `abortSignal`) and progress. */
export interface TrainOptions extends WaitOptions {
  /** Called with the iteration after the request and after each poll. */
  onProgress?: (progress: TrainProgress) => void;
}

const codeOf = (error: unknown) => (error as { code?: string } | undefined)?.code;

/** The project's newest Completed iteration, or undefined when it has none. */
export async function latestIteration(lab: Pick<Lab, 'trainer'>, project: Ref, options: { abortSignal?: AbortSignal } = {}): Promise<Iteration | undefined> {
  const iterations = await lab.trainer.getIterations(idOf(project, 'project'), sdkOptions(options.abortSignal));
  const completed = iterations.filter((i) => i.status === 'Completed');
  completed.sort((a, b) => (b.trainedAt?.getTime() ?? 0) - (a.trainedAt?.getTime() ?? 0));
  return completed[0];
}

/**
 * The project's first iteration, the oldest by `created` that has not failed: Completed, or still
 * Training when the wait for it was cut short; undefined when it has none. When a notebook runs again
 * and `trainProject` refuses (nothing changed, or an iteration is already training), this is the
 * iteration its first training made.
 */
export async function firstIteration(lab: Pick<Lab, 'trainer'>, project: Ref, options: { abortSignal?: AbortSignal } = {}): Promise<Iteration | undefined> {
  const iterations = await lab.trainer.getIterations(idOf(project, 'project'), sdkOptions(options.abortSignal));
  const kept = iterations.filter((i) => i.status === 'Completed' || i.status === 'Training');
  kept.sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0));
  return kept[0];
}

/**
 * `trainProject`, then `getIteration` every `pollIntervalInMs` until the iteration is no longer
 * Training. When nothing changed since the latest iteration (a re-run), returns that one; when an
 * iteration is already training (a wait cut short), waits for it. Throws if training fails.
 */
export async function trainAndWait(lab: Pick<Lab, 'trainer'>, project: Ref, options: TrainOptions = {}): Promise<Iteration> {
  const { trainer } = lab;
  const projectId = idOf(project, 'project');
  let stillWhat = 'The project is still training';
  return waitWith(options, 30 * 60_000, () => stillWhat, async (waiter) => {
    let iteration: Iteration;
    try {
      iteration = await trainer.trainProject(projectId, sdkOptions(waiter.signal));
    } catch (error) {
      const existing =
        codeOf(error) === 'BadRequestTrainingNotNeeded'
          ? await latestIteration(lab, projectId, { abortSignal: waiter.signal })
          : codeOf(error) === 'BadRequestTrainingAlreadyInProgress'
            ? (await trainer.getIterations(projectId, sdkOptions(waiter.signal))).find((i) => i.status === 'Training')
            : undefined;
      if (!existing) throw error;
      iteration = existing;
    }
    const iterationId = idOf(iteration, 'iteration');
    stillWhat = `${iteration.name} is still Training`;
    options.onProgress?.({ iteration, elapsedInMs: waiter.elapsedInMs() });
    while (iteration.status === 'Training') {
      await waiter.pause();
      iteration = await trainer.getIteration(projectId, iterationId, sdkOptions(waiter.signal));
      options.onProgress?.({ iteration, elapsedInMs: waiter.elapsedInMs() });
    }
    if (iteration.status !== 'Completed') throw new Error(`${iteration.name} ${iteration.status}: ${iteration.trainingErrorDetails ?? 'no details'}`);
    return iteration;
  });
}
