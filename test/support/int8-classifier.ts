/**
 * @module The int8 zoo model's ImageNet classifier (1280 -> 1000), dequantised: a stand-in for the
 * float classifier weight, which is not among the provisioned files, to check the float build
 * against the zoo's reference outputs.
 */
import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { int8ModelPath } from '../../datasets/paths';

const INPUTS = 1280;
const OUTPUTS = 1000;

/** An initializer's values as numbers, whichever field the exporter stored them in. */
function values(graph: onnx.IGraphProto, name: string): Float64Array {
  const t = graph.initializer?.find((x) => x.name === name);
  if (!t) throw new Error(`the int8 model has no initializer ${name}`);
  const T = onnx.TensorProto.DataType;
  const count = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
  const raw = t.rawData && t.rawData.length > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : undefined;
  return Float64Array.from({ length: count }, (_, i) => {
    switch (t.dataType) {
      case T.FLOAT: return raw ? raw.getFloat32(4 * i, true) : (t.floatData as number[])[i];
      case T.INT8: return raw ? raw.getInt8(i) : (t.int32Data as number[])[i];
      case T.UINT8: return raw ? raw.getUint8(i) : (t.int32Data as number[])[i];
      case T.INT32: return raw ? raw.getInt32(4 * i, true) : (t.int32Data as number[])[i];
      default: throw new Error(`unsupported initializer type ${t.dataType} for ${name}`);
    }
  });
}

export interface StandInClassifier {
  /** weights[j * 1000 + k]: feature j's weight for class k. */
  weights: Float64Array;
  /** Half a quantisation step per class: |stand-in - float weight| is at most this, if the int8 model rounded the float one. */
  halfStep: Float64Array;
}

/** The classifier's int8 weights (per-class scale and zero point), dequantised. */
export function standInClassifier(): StandInClassifier {
  const graph = onnx.ModelProto.decode(readFileSync(int8ModelPath())).graph as onnx.GraphProto;
  const q = values(graph, 'classifier.1.weight_quantized');
  const scale = values(graph, 'classifier.1.weight_scale');
  const zero = values(graph, 'classifier.1.weight_zero_point');
  if (q.length !== INPUTS * OUTPUTS || scale.length !== OUTPUTS) throw new Error('unexpected classifier shape in the int8 model');
  const weights = new Float64Array(INPUTS * OUTPUTS);
  for (let j = 0; j < INPUTS; j++) {
    for (let k = 0; k < OUTPUTS; k++) weights[j * OUTPUTS + k] = (q[j * OUTPUTS + k] - zero[zero.length === 1 ? 0 : k]) * scale[k];
  }
  return { weights, halfStep: scale.map((s) => s / 2) };
}

/** The 1000 ImageNet logits of pooled features, with a float bias. */
export function logits(classifier: StandInClassifier, features: ArrayLike<number>, bias: ArrayLike<number>): Float64Array {
  const z = Float64Array.from(bias);
  for (let j = 0; j < INPUTS; j++) for (let k = 0; k < OUTPUTS; k++) z[k] += features[j] * classifier.weights[j * OUTPUTS + k];
  return z;
}
