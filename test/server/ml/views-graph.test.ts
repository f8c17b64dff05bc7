/** The views inside a graph are the service's views (rgbTensor's pixel moves), and their probabilities average. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { rgbTensor, VIEWS } from '../../../server/ml/image';
import { floatValue, node } from '../../../server/ml/onnx-build';
import { averageViews, stackViews } from '../../../server/ml/views-graph';

const SIZE = 5;

async function run(graph: onnx.GraphProto, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const model = onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 12 }], graph });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
  const out = await session.run({ x: new ort.Tensor('float32', input, dims) });
  await session.release();
  return out.y.data as Float32Array;
}

describe('views in the graph', () => {
  it('stackViews puts each view of each image in the batch, view-major, as rgbTensor lays it out', async () => {
    const images = [0, 1].map((n) => Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (i * 7 + n * 101) % 256));
    const input = new Float32Array(2 * 3 * SIZE * SIZE);
    images.forEach((rgb, n) => input.set(rgbTensor(rgb, 'identity', undefined, SIZE), n * 3 * SIZE * SIZE));
    const graph = onnx.GraphProto.create({
      node: [node('Identity', ['x'], 'y')],
      input: [floatValue('x', ['n', 3, SIZE, SIZE])],
      output: [floatValue('y', ['vn', 3, SIZE, SIZE])],
    });
    stackViews(graph, 'x', VIEWS);
    const out = await run(graph, input, [2, 3, SIZE, SIZE]);
    const plane = 3 * SIZE * SIZE;
    VIEWS.forEach((view, v) =>
      images.forEach((rgb, n) => assert.deepEqual(out.subarray((v * 2 + n) * plane, (v * 2 + n + 1) * plane), rgbTensor(rgb, view, undefined, SIZE), `${view} of image ${n}`)),
    );
  });

  it('averageViews gives each image the mean of its views', async () => {
    const graph = onnx.GraphProto.create({
      node: [node('Identity', ['x'], 'y')],
      input: [floatValue('x', ['vn', 2])],
      output: [floatValue('y', ['n', 2])],
    });
    averageViews(graph, 'y', 3, 2);
    // 3 views x 2 images x 2 classes, view-major.
    const out = await run(graph, Float32Array.from([0.1, 0.9, 0.6, 0.4, 0.2, 0.8, 0.7, 0.3, 0.3, 0.7, 0.8, 0.2]), [6, 2]);
    [0.2, 0.8, 0.7, 0.3].forEach((v, i) => assert.ok(Math.abs(out[i] - v) < 1e-6, `${out[i]} vs ${v}`));
  });
});
