/**
 * @module Classifying one image: a quick test (any trained iteration of the project) or the
 * Prediction API (an iteration published under a name). The image is read, or fetched, only once
 * the project and iteration are known to exist.
 */
import type { ProjectRecord } from '../store/repositories';
import type { Store } from './context';
import { defaultIteration, iterationRow, publishedIteration } from './iterations';
import { checkedText, LIMITS } from './limits';
import type { ImagePrediction, Predictor } from './predictor';

/** Reads the request's image; a URL is fetched no further than the size limit it is given. */
export type ImageSource = (maxBytes: number) => Promise<Buffer>;

export interface QuickTest {
  /** The iteration to test; the project's default (else latest completed) one when absent. */
  iterationId?: string;
  /** Keep the result among the project's stored predictions. */
  store: boolean;
}

/** The project is looked up by the caller first: an unknown project is a 404 whatever the test's parameters say. */
export async function quickTest(store: Store, predictor: Predictor, project: ProjectRecord, image: ImageSource, test: QuickTest): Promise<ImagePrediction> {
  const iteration = test.iterationId ? iterationRow(store, project.id, test.iterationId) : defaultIteration(store, project);
  return predictor.classify(iteration, await image(LIMITS.trainingImageBytes), { maxBytes: LIMITS.trainingImageBytes, store: test.store });
}

/** The spec's limit for prediction images (4 MB). */
export const PREDICTION_IMAGE_BYTES = 4 * 1024 * 1024;

export interface PublishedPrediction {
  /** Keep the image and result among the project's stored predictions. */
  store: boolean;
  /** The calling application's name (the Prediction API's `application`), kept with a stored prediction for QueryPredictions. */
  application?: string;
}

export async function classifyWithPublished(store: Store, predictor: Predictor, projectId: string, publishedName: string, image: ImageSource, options: PublishedPrediction): Promise<ImagePrediction> {
  const { application } = options;
  checkedText(application, { what: 'The application name', max: LIMITS.applicationNameLength, code: 'BadRequestPredictionInvalidApplicationName' });
  const iteration = publishedIteration(store, projectId, publishedName);
  return predictor.classify(iteration, await image(PREDICTION_IMAGE_BYTES), { maxBytes: PREDICTION_IMAGE_BYTES, store: options.store, application });
}
