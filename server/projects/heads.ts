/** @module The trained head of an iteration, and whether it can still predict with the service's current backbone. */
import { badRequest } from '../errors';
import type { HeadModel } from '../ml/head';
import type { IterationRecord } from '../store/repositories';
import type { SharedStore } from './context';

/** The trained head of an iteration; undefined until it has trained. */
export function iterationModel(store: SharedStore, iterationId: string): HeadModel | undefined {
  return store.iterations.model(iterationId) as HeadModel | undefined;
}

/** Whether a head was trained on the features the service computes now. */
export function onCurrentBackbone(store: SharedStore, model: HeadModel): boolean {
  return model.backbone === store.backbone;
}

/**
 * The head an iteration predicts (or exports) with. Refuses, with what to do, an iteration not
 * trained yet, or trained on an earlier backbone of the service (an upgrade changed it).
 */
export function predictingModel(store: SharedStore, iteration: IterationRecord): HeadModel {
  const model = iteration.status === 'Completed' ? iterationModel(store, iteration.id) : undefined;
  if (!model) throw badRequest('BadRequestIterationIsNotTrained', `Iteration "${iteration.name}" is ${iteration.status}, not Completed.`);
  if (!onCurrentBackbone(store, model)) {
    throw badRequest(
      'BadRequestIterationValidationFailed',
      `Iteration "${iteration.name}" was trained on an earlier version of the local service's backbone and cannot predict with this one: train the project again (no image needs to change).`,
    );
  }
  return model;
}
