/** @module What a resource is (a name, its keys, its quotas) and the one the service has without a resources file. */

/** Every quota of a resource with its value; `Infinity` means no limit. */
export interface Quotas {
  maxProjects: number;
  maxImagesPerProject: number;
  maxIterations: number;
  trainingRequestsPerSecond: number;
  predictionRequestsPerSecond: number;
}

/** The quotas a resources file states for a resource: those it leaves out take the defaults (see quotas.ts). */
export type ResourceQuotas = Partial<Quotas>;

/** A resource as requests and rules see it: who owns a project, and what it may do. */
export interface Resource {
  name: string;
  quotas: Quotas;
  /**
   * Whether publishIteration takes any predictionId as naming this resource. Only the single
   * resource of a service without a resources file does: the lab publishes to
   * `…/accounts/local-prediction`, and there is no other resource to mistake it for.
   */
  acceptsAnyPredictionId: boolean;
}

/** The keys that act for a resource: each header's own. */
export interface ResourceKeys {
  trainingKeys: string[];
  predictionKeys: string[];
}

/** A resource as a resources file (or the command line) states it: its keys, and the quotas it sets. */
export interface ResourceDefinition extends Omit<Resource, 'quotas'>, ResourceKeys {
  quotas: ResourceQuotas;
}

/** A resource as the service runs it: its keys and every quota (see `withQuotas`). */
export interface ConfiguredResource extends Resource, ResourceKeys {}

/** The resource of a service started without a resources file; existing projects belong to it too. */
export const DEFAULT_RESOURCE_NAME = 'default';

/** Letters, digits, `-` and `_`, 1 to 64 characters: usable in a resource id, a file name and a CSV cell. */
export const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Today's single resource: every key given on the command line acts for it. */
export function defaultResource(trainingKeys: string[], predictionKeys: string[]): ResourceDefinition {
  return { name: DEFAULT_RESOURCE_NAME, trainingKeys, predictionKeys, quotas: {}, acceptsAnyPredictionId: true };
}

/**
 * The resource a publishIteration `predictionId` names: the name itself, or the last segment of an
 * Azure resource id (`/subscriptions/…/providers/Microsoft.CognitiveServices/accounts/<name>`).
 */
export function predictionResourceName(predictionId: string): string {
  const id = predictionId.trim().replace(/\/+$/, '');
  const account = /\/accounts\/([^/]+)$/i.exec(id);
  return account ? account[1] : id;
}

/** Whether `predictionId` names this resource (names compare without case, as Azure's account names do). */
export function namesResource(predictionId: string, resource: Pick<Resource, 'name' | 'acceptsAnyPredictionId'>): boolean {
  return resource.acceptsAnyPredictionId || predictionResourceName(predictionId).toLowerCase() === resource.name.toLowerCase();
}

/** The Azure-style resource id a student's `.env` gives as VISION_PREDICTION_RESOURCE_ID. */
export function predictionResourceId(name: string): string {
  return `/subscriptions/local/resourceGroups/classroom/providers/Microsoft.CognitiveServices/accounts/${name}`;
}
