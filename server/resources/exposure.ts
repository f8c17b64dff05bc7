/**
 * @module The rule for opening the service to a network: the lab's default keys are published in the
 * README, so a service that listens beyond loopback must accept none of them.
 */
import { LOCAL_SERVICE } from '../../lib/src/shared';
import { isLoopbackHost } from '../net/addresses';
import type { ResourceDefinition } from './resource';

export { isLoopbackHost };

/** The lab's default keys among those the resources accept, each with the resource it acts for. */
function defaultKeysIn(resources: readonly ResourceDefinition[]): string[] {
  const found: string[] = [];
  for (const resource of resources) {
    if (resource.trainingKeys.includes(LOCAL_SERVICE.trainingKey)) found.push(`the training key "${LOCAL_SERVICE.trainingKey}" (resource "${resource.name}")`);
    if (resource.predictionKeys.includes(LOCAL_SERVICE.predictionKey)) found.push(`the prediction key "${LOCAL_SERVICE.predictionKey}" (resource "${resource.name}")`);
    // The other default key in the other role is just as public.
    if (resource.trainingKeys.includes(LOCAL_SERVICE.predictionKey)) found.push(`the training key "${LOCAL_SERVICE.predictionKey}" (resource "${resource.name}")`);
    if (resource.predictionKeys.includes(LOCAL_SERVICE.trainingKey)) found.push(`the prediction key "${LOCAL_SERVICE.trainingKey}" (resource "${resource.name}")`);
  }
  return found;
}

/** Throws, saying why and what to do, when `host` is not loopback and a default key is accepted. */
export function checkExposure(host: string, resources: readonly ResourceDefinition[]): void {
  if (isLoopbackHost(host)) return;
  const found = defaultKeysIn(resources);
  if (!found.length) return;
  throw new Error(
    [
      `Refusing to listen on ${host} with the lab's default keys: ${found.join(', ')}.`,
      'They are printed in the README, so anyone who can reach this machine could read, change or delete every project.',
      'To open the service to a classroom, run `npm run classroom -- --students <n> --host ' + host + '` (a resources file with random keys, one resource per student),',
      'or give keys of your own: --training-key <key> --prediction-key <key>, or --resources <file> without the default keys.',
      'Loopback addresses (127.0.0.1, ::1, localhost) may keep the default keys.',
    ].join('\n'),
  );
}
