/**
 * @module Which Custom Vision service the lab talks to: Azure when an endpoint and keys are set
 * (environment or a `.env` file), else the local service, on its documented defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { LOCAL_SERVICE, PROJECT_ROOT } from './shared';

/** One Custom Vision endpoint: Azure and the local service are two configurations of it. */
export interface LabConfig {
  kind: 'local' | 'azure';
  trainingEndpoint: string;
  trainingKey: string;
  predictionEndpoint: string;
  predictionKey: string;
  /** The prediction resource's ARM id, which publishing needs (any non-empty text for the local service). */
  predictionResourceId: string;
}

/** The local service's defaults (its own, from ./shared), as the lab uses them. */
export const LOCAL_DEFAULTS = {
  endpoint: `http://${LOCAL_SERVICE.host}:${LOCAL_SERVICE.port}`,
  trainingKey: LOCAL_SERVICE.trainingKey,
  predictionKey: LOCAL_SERVICE.predictionKey,
  predictionResourceId: '/subscriptions/local/resourceGroups/lab/providers/Microsoft.CognitiveServices/accounts/local-prediction',
};

/**
 * Reads the configuration. Azure is used when VISION_TRAINING_ENDPOINT and VISION_TRAINING_KEY are
 * set (the names of Microsoft's quickstarts); the prediction settings default to the training ones.
 * A `.env` file at the project root is read first; real environment variables win over it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = path.join(PROJECT_ROOT, '.env')): LabConfig {
  const merged = { ...readEnvFile(envFile), ...env };
  const trainingEndpoint = merged.VISION_TRAINING_ENDPOINT?.trim();
  const trainingKey = merged.VISION_TRAINING_KEY?.trim();
  if (trainingEndpoint && trainingKey) {
    const predictionResourceId = merged.VISION_PREDICTION_RESOURCE_ID?.trim();
    if (!predictionResourceId) {
      throw new Error('VISION_PREDICTION_RESOURCE_ID is not set: publishing to Azure needs the prediction resource id (Azure portal > your prediction resource > Properties > Resource ID).');
    }
    return {
      kind: 'azure',
      trainingEndpoint: trimSlash(trainingEndpoint),
      trainingKey,
      predictionEndpoint: trimSlash(merged.VISION_PREDICTION_ENDPOINT?.trim() || trainingEndpoint),
      predictionKey: merged.VISION_PREDICTION_KEY?.trim() || trainingKey,
      predictionResourceId,
    };
  }
  const local = trimSlash(merged.CVLAB_LOCAL_ENDPOINT?.trim() || LOCAL_DEFAULTS.endpoint);
  return {
    kind: 'local',
    trainingEndpoint: local,
    trainingKey: merged.CVLAB_TRAINING_KEY?.trim() || LOCAL_DEFAULTS.trainingKey,
    predictionEndpoint: local,
    predictionKey: merged.CVLAB_PREDICTION_KEY?.trim() || LOCAL_DEFAULTS.predictionKey,
    predictionResourceId: LOCAL_DEFAULTS.predictionResourceId,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The variables of a `.env` file (Node's own parser), or none when there is no file. */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}
