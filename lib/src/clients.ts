/** @module The official SDK clients for a configured endpoint (Azure or local: the same code). */
import { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { loadConfig, type LabConfig } from './config';
import { ensureLocalService, type ServiceState } from './local-service';

export interface Lab {
  config: LabConfig;
  trainer: TrainingAPIClient;
  predictor: PredictionAPIClient;
  /** One line for the first cell: which service is in use. */
  describe(): string;
}

export function trainingClient(config: LabConfig): TrainingAPIClient {
  return new TrainingAPIClient(new ApiKeyCredentials({ inHeader: { 'Training-key': config.trainingKey } }), config.trainingEndpoint);
}

export function predictionClient(config: LabConfig): PredictionAPIClient {
  return new PredictionAPIClient(new ApiKeyCredentials({ inHeader: { 'Prediction-key': config.predictionKey } }), config.predictionEndpoint);
}

/** Reads the configuration, starts the local service if it is the one in use and is not running, and returns the clients. */
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
