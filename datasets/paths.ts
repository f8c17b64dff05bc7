/** Where provisioned assets live, plus a cheap guard that provisions them when something is missing. */
import * as path from 'node:path';
import { assetsDir, datasetDir } from '../lib/src/shared';
import { type ProvisionReport, provisionAssets } from './provision';

// The assets folder and the lab's dataset (aerial-small) are shared with lib/, which defines them.
export { assetsDir, datasetDir };

/**
 * 240 tiles from another sensor and other countries (AID, Google Earth imagery), by tag:
 * <assets>/datasets/aid-validation/<class>/*.jpg. For measuring generalisation only, never for training.
 */
export function aidValidationDir(): string {
  return path.join(assetsDir(), 'datasets', 'aid-validation');
}

/** The float32 MobileNetV2 as per-layer weights (weights/, test_data_set/): <assets>/models/mobilenetv2-7-weights. */
export function backboneWeightsDir(): string {
  return path.join(assetsDir(), 'models', 'mobilenetv2-7-weights');
}

/** The int8 MobileNetV2 of the ONNX model zoo; only its ImageNet classifier is used, as a stand-in to check the float build. */
export function int8ModelPath(): string {
  return path.join(assetsDir(), 'models', 'mobilenetv2-12-int8.onnx');
}

/**
 * Provisions quietly (mirror from $CVLAB_ASSETS_MIRROR, else download) when anything is missing
 * or wrong. When all is there it only stats the files against the verification cache.
 */
export function ensureAssets(): Promise<ProvisionReport> {
  return provisionAssets({ target: assetsDir() });
}
