/** The feature graph: each pixel normalisation does what it says, and the chosen layers come out concatenated. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { backboneWeightsDir } from '../../../datasets/paths';
import { featureDim, featureModel, FEATURES_OUTPUT } from '../../../server/ml/graph';
import { imageTensor, type ColourNormalisation } from '../../../server/ml/image';
import { buildMobileNetV2, NETWORK_INPUT, pooledOutput, readMobileNetV2Weights, type MobileNetV2Weights } from '../../../server/ml/mobilenet-v2';
import { floatValue, node } from '../../../server/ml/onnx-build';
import { IMAGENET_MEAN, IMAGENET_STD, MAX_GAIN, MIN_STD, prependNormalisation, RAW_INPUT } from '../../../server/ml/preprocess-graph';
import { CLASSES, imageFiles } from '../../support/dataset';

const SIZE = 224;
const PLANE = SIZE * SIZE;
const COLOURS: ColourNormalisation[] = ['imagenet', 'gray-world', 'shades-of-grey', 'mean-match', 'per-image'];

const run = async (model: onnx.ModelProto, input: Float32Array, n = 1) => {
  const s = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
  const out = await s.run({ [RAW_INPUT]: new ort.Tensor('float32', input, [n, 3, SIZE, SIZE]) });
  await s.release();
  return out;
};

/** The normalisation alone: RAW_INPUT -> normalised values. */
function normalisationOnly(colour: ColourNormalisation): onnx.ModelProto {
  const graph = onnx.GraphProto.create({
    node: [node('Identity', [NETWORK_INPUT], 'normalised')],
    input: [floatValue(NETWORK_INPUT, ['batch_size', 3, 'height', 'width'])],
    output: [floatValue('normalised', ['batch_size', 3, 'height', 'width'])],
  });
  prependNormalisation(graph, colour);
  return onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 12 }], graph });
}

/** The same rules written out in TypeScript, per channel of one CHW image. */
function expected(colour: ColourNormalisation, t: Float32Array): Float64Array {
  const channel = (c: number) => t.subarray(c * PLANE, (c + 1) * PLANE);
  const mean = (xs: Float32Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const clip = (g: number) => Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, g));
  const imagenet = (v: number, c: number, gain = 1) => ((v * gain) / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
  const means = [0, 1, 2].map((c) => mean(channel(c)));
  let gains = [1, 1, 1];
  if (colour === 'gray-world' || colour === 'shades-of-grey') {
    const levels = [0, 1, 2].map((c) => Math.max(1, colour === 'gray-world' ? means[c] : 255 * mean(channel(c).map((v) => (v / 255) ** 6)) ** (1 / 6)));
    gains = levels.map((l) => clip((levels[0] + levels[1] + levels[2]) / 3 / l));
  } else if (colour === 'mean-match') {
    gains = means.map((m, c) => clip((255 * IMAGENET_MEAN[c]) / Math.max(1, m)));
  }
  const stds = [0, 1, 2].map((c) => Math.sqrt(mean(channel(c).map((x) => (x - means[c]) ** 2))));
  return Float64Array.from(t, (v, i) => {
    const c = Math.floor(i / PLANE);
    return colour === 'per-image' ? (v - means[c]) / Math.max(stds[c], MIN_STD) : imagenet(v, c, gains[c]);
  });
}

describe('pixel normalisation inside the graph', () => {
  let tiles: Float32Array[];
  before(async () => {
    tiles = await Promise.all(CLASSES.map((c) => imageTensor(readFileSync(imageFiles('test', c)[0]))));
    // A tile with a strong cast and a nearly empty blue channel: the gain limits must hold.
    tiles.push(tiles[0].map((v, i) => (i < PLANE ? v : i < 2 * PLANE ? v * 0.6 : v * 0.004)));
  });

  for (const colour of COLOURS) {
    it(`${colour}: the graph computes the documented rule`, async () => {
      for (const t of tiles) {
        const got = (await run(normalisationOnly(colour), t)).normalised.data as Float32Array;
        const want = expected(colour, t);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        assert.ok(worst < 1e-4, `largest difference ${worst}`);
      }
    });
  }

  it('gray-world and shades-of-grey remove a colour cast: the same tile under another light gives the same features', async () => {
    const weights = readMobileNetV2Weights(backboneWeightsDir());
    const tile = tiles[2];
    // Warmer light: the same ground with red up and blue down (within the gain limits, no clipping), at
    // the same overall level (both keep an image's brightness, measured their way; they remove only the cast).
    const castOf = (p: number) => {
      const levels = [0, 1, 2].map((c) => (tile.subarray(c * PLANE, (c + 1) * PLANE).reduce((a, v) => a + v ** p, 0) / PLANE) ** (1 / p));
      const blue = (levels[0] + levels[1] + levels[2] - 1.15 * levels[0] - levels[1]) / levels[2];
      return tile.map((v, i) => v * (i < PLANE ? 1.15 : i < 2 * PLANE ? 1 : blue));
    };
    for (const [colour, p] of [['gray-world', 1], ['shades-of-grey', 6]] as const) {
      const model = featureModel(weights, { colour, layers: ['final'] });
      const a = (await run(model, tile))[FEATURES_OUTPUT].data as Float32Array;
      const b = (await run(model, castOf(p)))[FEATURES_OUTPUT].data as Float32Array;
      const worst = a.reduce((w, v, j) => Math.max(w, Math.abs(v - b[j])), 0);
      assert.ok(worst < 1e-3, `${colour}: largest feature change ${worst}`);
    }
    const cast = castOf(1);
    const plain = featureModel(weights, { colour: 'imagenet', layers: ['final'] });
    const a = (await run(plain, tile))[FEATURES_OUTPUT].data as Float32Array;
    const b = (await run(plain, cast))[FEATURES_OUTPUT].data as Float32Array;
    assert.ok(a.some((v, j) => Math.abs(v - b[j]) > 0.05), 'without colour constancy the cast does change the features');
  });
});

describe('featureModel', () => {
  let weights: MobileNetV2Weights;
  before(() => {
    weights = readMobileNetV2Weights(backboneWeightsDir());
  });

  it("concatenates the chosen layers' pooled activations in order, from raw pixels", async () => {
    const layers = ['stage96', 'final'] as const;
    const tile = await imageTensor(readFileSync(imageFiles('test', 'Cultivated')[0]));
    const features = (await run(featureModel(weights, { colour: 'gray-world', layers: [...layers] }), tile))[FEATURES_OUTPUT].data as Float32Array;
    assert.equal(features.length, featureDim([...layers]));
    // The same network on the normalised pixels, each layer on its own.
    const normalised = (await run(normalisationOnly('gray-world'), tile)).normalised.data as Float32Array;
    const s = await ort.InferenceSession.create(onnx.ModelProto.encode(buildMobileNetV2(weights, [...layers])).finish());
    const out = await s.run({ [NETWORK_INPUT]: new ort.Tensor('float32', normalised, [1, 3, SIZE, SIZE]) });
    const parts = [...(out[pooledOutput('stage96')].data as Float32Array), ...(out[pooledOutput('final')].data as Float32Array)];
    parts.forEach((v, j) => assert.ok(Math.abs(v - features[j]) < 1e-5, `feature ${j}: ${features[j]} vs ${v}`));
    await s.release();
  });

  it('is deterministic and independent of the batch it runs in', async () => {
    const model = featureModel(weights, { colour: 'gray-world', layers: ['final'] });
    const tiles = await Promise.all(CLASSES.map((c) => imageTensor(readFileSync(imageFiles('train', c)[0]))));
    const batch = new Float32Array(tiles.length * 3 * PLANE);
    tiles.forEach((t, i) => batch.set(t, i * 3 * PLANE));
    const together = (await run(model, batch, tiles.length))[FEATURES_OUTPUT].data as Float32Array;
    assert.deepEqual((await run(model, batch, tiles.length))[FEATURES_OUTPUT].data, together);
    for (const [i, t] of tiles.entries()) {
      const alone = (await run(model, t))[FEATURES_OUTPUT].data as Float32Array;
      alone.forEach((v, j) => assert.ok(Math.abs(v - together[i * 1280 + j]) < 1e-5));
    }
  });
});
