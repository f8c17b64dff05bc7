/** The backbone graph edit: exposed features checked against the untouched zoo model on real aerial tiles. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { backbonePath } from '../../../datasets/paths';
import {
  exposeFeatures,
  floatClassifier,
  LOGITS_DIM,
  LOGITS_OUTPUT,
  POOLED_DIM,
  POOLED_OUTPUT,
  POOLED_SCALE,
  POOLED_TENSOR,
  POOLED_ZERO_POINT,
} from '../../../server/ml/graph';
import { imageTensor, INPUT_SIZE } from '../../../server/ml/image';
import { RAW_INPUT } from '../../../server/ml/preprocess-graph';
import { CLASSES, imageFiles } from '../../support/dataset';

const PLANE = INPUT_SIZE * INPUT_SIZE;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

function scalar(graph: onnx.IGraphProto, name: string): number {
  const t = graph.initializer!.find((x) => x.name === name)!;
  if (t.floatData && t.floatData.length) return t.floatData[0];
  if (t.int32Data && t.int32Data.length) return t.int32Data[0];
  return t.rawData![0];
}

describe('exposeFeatures', () => {
  let modelBytes: Buffer;
  let raw: Float32Array[]; // one raw-RGB tensor per test image, 2 per class
  let reference: ort.InferenceSession; // the zoo model, only with the pooled tensor also output
  let scale: number;
  let zeroPoint: number;

  before(async () => {
    modelBytes = readFileSync(backbonePath());
    const model = onnx.ModelProto.decode(modelBytes);
    scale = scalar(model.graph!, POOLED_SCALE);
    zeroPoint = scalar(model.graph!, POOLED_ZERO_POINT);
    (model.graph as onnx.GraphProto).output.push(onnx.ValueInfoProto.create({ name: POOLED_TENSOR, type: { tensorType: { elemType: onnx.TensorProto.DataType.UINT8 } } }));
    reference = await ort.InferenceSession.create(Buffer.from(onnx.ModelProto.encode(model).finish()));
    const files = CLASSES.flatMap((c) => imageFiles('train', c).slice(0, 2));
    raw = await Promise.all(files.map((f) => imageTensor(readFileSync(f))));
  });

  /** The zoo model's own pooled tensor (uint8) and 1000-way output, with the normalisation done here in TS. */
  async function runReference(t: Float32Array): Promise<{ pooled: Float32Array; logits: Float32Array }> {
    const input = new Float32Array(3 * PLANE);
    for (let c = 0; c < 3; c++) for (let p = 0; p < PLANE; p++) input[c * PLANE + p] = (t[c * PLANE + p] / 255 - MEAN[c]) / STD[c];
    const out = await reference.run({ input: new ort.Tensor('float32', input, [1, 3, INPUT_SIZE, INPUT_SIZE]) });
    const q = out[POOLED_TENSOR].data as Uint8Array;
    return { pooled: Float32Array.from(q, (v) => (v - zeroPoint) * scale), logits: out.output.data as Float32Array };
  }

  it('outputs the 1280 pooled features of the zoo model, dequantised', async () => {
    const session = await ort.InferenceSession.create(exposeFeatures(modelBytes, { colour: 'imagenet', features: 'pooled' }));
    assert.deepEqual(session.outputNames, [POOLED_OUTPUT]);
    assert.deepEqual(session.inputNames, [RAW_INPUT]);
    let differing = 0;
    for (const t of raw) {
      const out = await session.run({ [RAW_INPUT]: new ort.Tensor('float32', t, [1, 3, INPUT_SIZE, INPUT_SIZE]) });
      const features = out[POOLED_OUTPUT].data as Float32Array;
      assert.equal(features.length, POOLED_DIM);
      const ref = (await runReference(t)).pooled;
      for (let j = 0; j < POOLED_DIM; j++) {
        const v = features[j];
        assert.ok(Number.isFinite(v) && v >= 0 && v <= 6, `ReLU6 average in [0, 6], got ${v}`);
        assert.ok(Math.abs(v / scale - Math.round(v / scale)) < 1e-3, 'on the quantisation grid');
        // Normalising in the graph instead of in TS may round an input differently: at most one step apart.
        assert.ok(Math.abs(v - ref[j]) <= scale * 1.001, `feature ${j}: ${v} vs reference ${ref[j]}`);
        if (v !== ref[j]) differing++;
      }
      assert.ok(features.some((v) => v > 0), 'not all zero');
    }
    assert.ok(differing <= raw.length * POOLED_DIM * 0.02, `${differing} values differ by one step`);
    await session.release();
  });

  it('is deterministic and independent of the batch it runs in', async () => {
    const session = await ort.InferenceSession.create(exposeFeatures(modelBytes, { colour: 'imagenet', features: 'pooled' }));
    const batch = new Float32Array(raw.length * 3 * PLANE);
    raw.forEach((t, i) => batch.set(t, i * 3 * PLANE));
    const run = async (data: Float32Array, n: number) =>
      (await session.run({ [RAW_INPUT]: new ort.Tensor('float32', data, [n, 3, INPUT_SIZE, INPUT_SIZE]) }))[POOLED_OUTPUT].data as Float32Array;
    const first = await run(batch, raw.length);
    assert.deepEqual(await run(batch, raw.length), first);
    for (let i = 0; i < raw.length; i++) assert.deepEqual(await run(raw[i], 1), first.slice(i * POOLED_DIM, (i + 1) * POOLED_DIM));
    await session.release();
  });

  it('prunes the int8 classifier when only features are wanted', () => {
    const graph = onnx.ModelProto.decode(exposeFeatures(modelBytes, { features: 'pooled' })).graph as onnx.GraphProto;
    assert.ok(!graph.node.some((n) => n.opType === 'QLinearMatMul'));
    assert.ok(!graph.initializer.some((t) => (t.name ?? '').startsWith('classifier')));
  });

  it('imagenet-logits are the pooled features through the float classifier and match the zoo model output', async () => {
    const model = onnx.ModelProto.decode(modelBytes);
    const { weights, bias } = floatClassifier(model.graph!);
    const session = await ort.InferenceSession.create(exposeFeatures(modelBytes, { colour: 'imagenet', features: 'imagenet-logits' }));
    assert.deepEqual(session.outputNames, [LOGITS_OUTPUT, POOLED_OUTPUT]);
    for (const t of raw) {
      const out = await session.run({ [RAW_INPUT]: new ort.Tensor('float32', t, [1, 3, INPUT_SIZE, INPUT_SIZE]) });
      const logits = out[LOGITS_OUTPUT].data as Float32Array;
      const pooled = out[POOLED_OUTPUT].data as Float32Array;
      assert.equal(logits.length, LOGITS_DIM);
      for (let k = 0; k < LOGITS_DIM; k += 37) {
        let z = bias[k];
        for (let j = 0; j < POOLED_DIM; j++) z += pooled[j] * weights[j * LOGITS_DIM + k];
        assert.ok(Math.abs(z - logits[k]) < 1e-3, `logit ${k}: ${logits[k]} vs ${z}`);
      }
      // The zoo model's own output is the same product, quantised to uint8 twice on the way.
      const zoo = (await runReference(t)).logits;
      let worst = 0;
      for (let k = 0; k < LOGITS_DIM; k++) worst = Math.max(worst, Math.abs(zoo[k] - logits[k]));
      assert.ok(worst < 0.5, `largest difference to the int8 output ${worst}`);
      const argmax = (a: Float32Array) => a.indexOf(Math.max(...a));
      assert.ok(Math.abs(logits[argmax(zoo)] - logits[argmax(logits)]) < 0.5, 'same top class up to rounding');
    }
    await session.release();
  });
});
