/**
 * The float MobileNetV2 built from its per-layer weights: checked against the zoo's reference
 * outputs and against an independent float64 forward pass, so the features every CPU computes are
 * the network's own to well within 1e-4.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { backboneWeightsDir } from '../../../datasets/paths';
import { decodeRgb, rgbTensor, scaleRgb } from '../../../server/ml/image';
import { buildMobileNetV2, LAYERS, layerWidth, NETWORK_INPUT, pooledOutput, readMobileNetV2Weights, type MobileNetV2Weights } from '../../../server/ml/mobilenet-v2';
import { readFloatNpy } from '../../../server/ml/npy';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../../server/ml/preprocess-graph';
import { imageFiles } from '../../support/dataset';
import { logits, standInClassifier } from '../../support/int8-classifier';
import { referenceFeatures } from '../../support/reference-mobilenet';

const session = (model: onnx.ModelProto) => ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());

async function pooled(s: ort.InferenceSession, input: Float32Array, size: number, layer = pooledOutput('final')): Promise<Float32Array> {
  const out = await s.run({ [NETWORK_INPUT]: new ort.Tensor('float32', input, [1, 3, size, size]) });
  return out[layer].data as Float32Array;
}

/** A lab tile at `size`, ImageNet-normalised in TS (the network's own input). */
async function normalisedTile(file: string, size: number): Promise<Float32Array> {
  const t = rgbTensor(await scaleRgb(await decodeRgb(readFileSync(file)), size), 'identity', undefined, size);
  const plane = size * size;
  return t.map((v, i) => (v / 255 - IMAGENET_MEAN[Math.floor(i / plane)]) / IMAGENET_STD[Math.floor(i / plane)]);
}

describe('buildMobileNetV2', () => {
  let weights: MobileNetV2Weights;
  let network: ort.InferenceSession;
  before(async () => {
    weights = readMobileNetV2Weights(backboneWeightsDir());
    network = await session(buildMobileNetV2(weights));
  });

  it("reproduces the zoo model's reference logits, up to exactly what the stand-in classifier's rounding explains", async () => {
    // The float classifier weight is not provisioned: the int8 model's, dequantised, stands in. If the
    // features are right, each logit differs from the reference only by sum_j f_j * (rounding of w_jk):
    // at most sum_j |f_j| * step_k / 2, and with a standard deviation of ||f|| * step_k / (2 sqrt 3).
    // Measured: worst difference 0.066-0.072 (9% of that bound), RMS 1.01-1.02 standard deviations.
    const classifier = standInClassifier();
    const bias = readFloatNpy(path.join(backboneWeightsDir(), 'weights', 'gemm_104_bias.npy')).data;
    for (const pair of ['0', '1', '2']) {
      const input = readFloatNpy(path.join(backboneWeightsDir(), 'test_data_set', pair, 'input_0.npy'));
      const reference = readFloatNpy(path.join(backboneWeightsDir(), 'test_data_set', pair, 'output_0.npy')).data;
      const features = await pooled(network, input.data, 224);
      const z = logits(classifier, features, bias);
      const l1 = features.reduce((a, b) => a + Math.abs(b), 0);
      const l2 = Math.hypot(...features);
      let squares = 0;
      for (let k = 0; k < z.length; k++) {
        const difference = Math.abs(z[k] - reference[k]);
        assert.ok(difference <= l1 * classifier.halfStep[k], `pair ${pair}, logit ${k}: ${z[k]} vs ${reference[k]}`);
        squares += (difference / ((l2 * classifier.halfStep[k]) / Math.sqrt(3))) ** 2;
      }
      const rms = Math.sqrt(squares / z.length);
      assert.ok(rms > 0.8 && rms < 1.25, `pair ${pair}: RMS ${rms} standard deviations of the classifier's rounding`);
      assert.equal(z.indexOf(Math.max(...z)), reference.indexOf(Math.max(...reference)), 'same top class');
    }
  });

  it('agrees with an independent float64 forward pass to 1e-4, at 224 px and at 112 px', async () => {
    // Any CPU's float32 kernels stay this close to the exact value, so any two CPUs agree to 2e-4
    // at worst (measured on this machine: 2.5e-6, also with other thread counts and optimisation levels).
    const file = imageFiles('test', 'Developed')[0];
    for (const size of [224, 112]) {
      const input = await normalisedTile(file, size);
      const features = await pooled(network, input, size);
      const exact = referenceFeatures(weights, input, size);
      let worst = 0;
      for (let j = 0; j < exact.length; j++) worst = Math.max(worst, Math.abs(features[j] - exact[j]));
      assert.ok(worst < 1e-4, `at ${size} px: largest difference ${worst}`);
      assert.ok(Math.max(...exact) > 1, 'real activations, not a degenerate all-zero case');
    }
  });

  it("outputs any stage's pooled activations, and 'final' is the same with or without them", async () => {
    const all = await session(buildMobileNetV2(weights, LAYERS));
    assert.deepEqual(all.outputNames, LAYERS.map(pooledOutput));
    const input = await normalisedTile(imageFiles('test', 'Barren')[0], 224);
    const out = await all.run({ [NETWORK_INPUT]: new ort.Tensor('float32', input, [1, 3, 224, 224]) });
    for (const layer of LAYERS) assert.equal((out[pooledOutput(layer)].data as Float32Array).length, layerWidth(layer));
    assert.deepEqual(out[pooledOutput('final')].data, await pooled(network, input, 224));
    await all.release();
  });

  it('refuses weights that do not fit the topology, naming the convolution', () => {
    const missing = { convs: weights.convs.slice(0, -1) };
    assert.throws(() => buildMobileNetV2(missing), /end early/);
    const reshaped = { convs: weights.convs.map((c, i) => (i === 5 ? { ...c, weight: { ...c.weight, shape: [c.weight.shape[0], 1, 5, 5] } } : c)) };
    assert.throws(() => buildMobileNetV2(reshaped), new RegExp(`conv_${weights.convs[5].index}: weight`));
    assert.throws(() => readMobileNetV2Weights(path.join(backboneWeightsDir(), 'test_data_set')), /no MobileNetV2 weights at .*: run `npm run setup`/);
  });
});
