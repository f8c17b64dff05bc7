/**
 * @module What each quota of a resource means and its default: Azure's S0 tier for the resources of a
 * resources file, none for the lab's single resource (no resources file), as before quotas existed.
 */
import type { ConfiguredResource, Quotas, ResourceDefinition, ResourceQuotas } from './resource';

/**
 * Azure's S0 (standard) tier, from the Custom Vision docs' "Limits and quotas" page
 * (MicrosoftDocs/azure-ai-docs, articles/ai-services/custom-vision-service/limits-and-quotas.md):
 * 100 projects, 100,000 training images per project, 20 iterations (per project), 10 transactions
 * per second for TrainProject and for the other Training API calls, 20 per second for predictions
 * without storage and 10 with storage (a stored prediction costs two, see PREDICTION_COST).
 */
export const AZURE_S0_QUOTAS: Quotas = {
  maxProjects: 100,
  maxImagesPerProject: 100_000,
  maxIterations: 20,
  trainingRequestsPerSecond: 10,
  predictionRequestsPerSecond: 20,
};

/** The lab's own resource, without a resources file: one student on their own machine, no limits. */
export const NO_QUOTAS: Quotas = {
  maxProjects: Infinity,
  maxImagesPerProject: Infinity,
  maxIterations: Infinity,
  trainingRequestsPerSecond: Infinity,
  predictionRequestsPerSecond: Infinity,
};

/**
 * How many seconds' worth of requests a resource may send at once before its rate applies. Azure
 * documents the rates but not the burst; ten seconds lets a notebook's quick loops (eleven
 * performance reads in a row, thirty quick tests, thirty predictions on the loopback, where each
 * answers in tens of milliseconds) go through, while a sustained loop is held to the rate.
 */
export const BURST_SECONDS = 10;

/** A prediction that stores the image (classifyImage, classifyImageUrl) costs two: Azure allows 10/s of them and 20/s without storage. */
export const PREDICTION_COST = { stored: 2, noStore: 1 } as const;

/** A resource's quotas: what its entry states, the default for the rest. */
export function resolveQuotas(given: ResourceQuotas, defaults: Quotas): Quotas {
  return { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) };
}

/** The resources with every quota set: from a resources file, S0's defaults; the lab's lone resource, none. */
export function withQuotas(resources: readonly ResourceDefinition[], fromFile: boolean): ConfiguredResource[] {
  const defaults = fromFile ? AZURE_S0_QUOTAS : NO_QUOTAS;
  return resources.map((resource) => ({ ...resource, quotas: resolveQuotas(resource.quotas, defaults) }));
}

/** "10/s", "no limit": a quota as the log and errors state it. */
export function describeRate(perSecond: number): string {
  return Number.isFinite(perSecond) ? `${perSecond}/s` : 'no limit';
}
