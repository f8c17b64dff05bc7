/** Where provisioned assets live, plus a cheap guard that provisions them when something is missing. */
import * as path from 'node:path';
import { assetsDir } from './env';
import { type ProvisionReport, provisionAssets } from './provision';

export { assetsDir };

/** The aerial land-use dataset: <assets>/datasets/aerial-small/{train,test}/<class>/*.png. */
export function datasetDir(): string {
  return path.join(assetsDir(), 'datasets', 'aerial-small');
}

/** The MobileNetV2 int8 ONNX backbone: <assets>/models/mobilenetv2-12-int8.onnx. */
export function backbonePath(): string {
  return path.join(assetsDir(), 'models', 'mobilenetv2-12-int8.onnx');
}

/**
 * Provisions quietly (mirror from $CVLAB_ASSETS_MIRROR, else download) when anything is missing
 * or wrong. When all is there it only stats the files against the verification cache.
 */
export function ensureAssets(): Promise<ProvisionReport> {
  return provisionAssets({ target: assetsDir() });
}
