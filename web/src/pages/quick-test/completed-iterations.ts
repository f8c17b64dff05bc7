/** @module The iterations a model can answer with: the Completed ones, newest first. */
import type { Iteration } from '../../api/types';

const trainedTime = (iteration: Iteration) => iteration.trainedAt ?? iteration.created;

export function completedIterations(iterations: readonly Iteration[]): Iteration[] {
  return iterations.filter((i) => i.status === 'Completed').sort((a, b) => trainedTime(b).localeCompare(trainedTime(a)));
}

/** "Iteration 2 (published as aerial)": the option text; the name comes first so it can be picked by name. */
export function iterationLabel(iteration: Iteration): string {
  return iteration.publishName ? `${iteration.name} (published as ${iteration.publishName})` : iteration.name;
}
