/** @module The prediction endpoint's address and the curl command that calls it. */
import { idOf, type Lab, type Ref } from './clients';

/**
 * The Prediction API URL of a published iteration: `<endpoint>/customvision/v3.1/prediction/<project
 * id>/classify/iterations/<published name>/<kind>`, where `kind` is `image` (the image as the body)
 * or `url` (JSON `{ "url": ... }`), followed by `/nostore` unless `store` (the service then keeps the
 * image and its result).
 */
export function predictionUrl(lab: Pick<Lab, 'config'>, project: Ref, publishName: string, kind: 'image' | 'url', options: { store?: boolean } = {}): string {
  const projectId = idOf(project, 'project');
  return `${lab.config.predictionEndpoint}/customvision/v3.1/prediction/${projectId}/classify/iterations/${encodeURIComponent(publishName)}/${kind}${options.store ? '' : '/nostore'}`;
}

/** The curl command that classifies an image file; the key reads `$PREDICTION_KEY` unless `revealKey`. */
export function curlCommand(lab: Pick<Lab, 'config'>, project: Ref, publishName: string, file: string, options: { revealKey?: boolean } = {}): string {
  const key = options.revealKey ? lab.config.predictionKey : '$PREDICTION_KEY';
  return [
    `curl -sS -X POST "${predictionUrl(lab, project, publishName, 'image')}" \\`,
    `  -H "Prediction-Key: ${key}" \\`,
    '  -H "Content-Type: application/octet-stream" \\',
    `  --data-binary @${file}`,
  ].join('\n');
}
