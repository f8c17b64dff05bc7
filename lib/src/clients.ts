/**
 * @module The lab's connection to Custom Vision: its configuration and the official SDK clients
 * (Azure or the local service: the same code), and what helpers accept for a project or an iteration.
 */
import { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { loadConfig, type LabConfig } from './config';
import { ensureLocalService, type ServiceState } from './local-service';

/**
 * The lab's connection, as `connect()` returns it: the configuration and the two official clients.
 * Every helper that talks to the service takes it (or the part it uses) as its first parameter.
 */
export interface Lab {
  config: LabConfig;
  /** The Training API client: projects, tags, images, training, evaluation, publishing, exports. */
  trainer: TrainingAPIClient;
  /** The Prediction API client: classifying images with a published iteration. */
  predictor: PredictionAPIClient;
  /** One line for the first cell: which service is in use. */
  describe(): string;
}

/** A project, iteration or tag as the SDK returned it, or its id. */
export type Ref = string | { id?: string };

/** The id of a project, iteration or tag given either way; `what` names it in the error when it has none. */
export function idOf(ref: Ref, what: string): string {
  const id = typeof ref === 'string' ? ref : ref.id;
  if (!id) throw new TypeError(`The ${what} has no id: pass the object the SDK returned, or its id.`);
  return id;
}

/** The Training API client for a configuration. */
export function trainingClient(config: LabConfig): TrainingAPIClient {
  return new TrainingAPIClient(new ApiKeyCredentials({ inHeader: { 'Training-key': config.trainingKey } }), config.trainingEndpoint);
}

/** The Prediction API client for a configuration. */
export function predictionClient(config: LabConfig): PredictionAPIClient {
  return new PredictionAPIClient(new ApiKeyCredentials({ inHeader: { 'Prediction-key': config.predictionKey } }), config.predictionEndpoint);
}

/**
 * Connects the lab: reads the configuration (Azure when its variables are set, else the local
 * service), starts the local service if it is the one in use and is not running, and returns the clients.
 */
export async function connect(config: LabConfig = loadConfig()): Promise<Lab> {
  const state: ServiceState = await ensureLocalService(config);
  return {
    config,
    trainer: trainingClient(config),
    predictor: predictionClient(config),
    describe: () =>
      config.kind === 'azure'
        ? `Using Azure Custom Vision: training ${config.trainingEndpoint}, prediction ${config.predictionEndpoint}`
        : `Using the local Custom Vision service at ${config.trainingEndpoint} (${state === 'started' ? 'started just now' : 'already running'})`,
  };
}
