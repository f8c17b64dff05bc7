/** @module Edits the MobileNetV2 int8 ONNX graph: raw RGB in (normalised inside), float32 features out (pooled, or through the ImageNet classifier). */
import { onnx } from 'onnx-proto';
import { DEFAULT_TRAINING_CONFIG } from './config';
import type { ColourNormalisation } from './image';
import { floatConstant, floatValue, intAttribute, node } from './onnx-build';
import { prependNormalisation } from './preprocess-graph';

/** The QLinearGlobalAveragePool output of the zoo model and its quantisation parameters. */
export const POOLED_TENSOR = '464_quantized';
export const POOLED_SCALE = '464_scale';
export const POOLED_ZERO_POINT = '464_zero_point';
/** The zoo model's int8 ImageNet classifier (1280 -> 1000), dequantised into a float projection. */
const CLASSIFIER = 'classifier.1';

/**
 * What the backbone hands to the head:
 * - `pooled`: the 1280 pooled features, dequantised to float32;
 * - `imagenet-logits`: those features through the zoo model's own ImageNet classifier, in float (1000
 *   values). A linear head on them is still a linear head on the pooled features, but its L2 penalty then
 *   favours directions the ImageNet classifier uses: measured to transfer better to new regions (see
 *   bench/ml-experiment.ts).
 */
export type FeatureKind = 'pooled' | 'imagenet-logits';

export const POOLED_OUTPUT = 'pooled_features';
export const POOLED_DIM = 1280;
export const LOGITS_OUTPUT = 'imagenet_logits';
export const LOGITS_DIM = 1000;
export const FEATURE_OUTPUTS: Record<FeatureKind, { name: string; dim: number }> = {
  pooled: { name: POOLED_OUTPUT, dim: POOLED_DIM },
  'imagenet-logits': { name: LOGITS_OUTPUT, dim: LOGITS_DIM },
};
/** Output name and width of the default feature kind (DEFAULT_TRAINING_CONFIG.features). */
export const FEATURE_OUTPUT = FEATURE_OUTPUTS[DEFAULT_TRAINING_CONFIG.features].name;
export const FEATURE_DIM = FEATURE_OUTPUTS[DEFAULT_TRAINING_CONFIG.features].dim;

export interface ExposeFeaturesOptions {
  /** Keep the original 1000-way `output` too; off by default, the classifier is pruned as dead weight. */
  keepLogits?: boolean;
  /** Pixel normalisation put in front of the network (its input becomes raw 0-255 RGB); none when absent. */
  colour?: ColourNormalisation;
  /** Features to output (default DEFAULT_TRAINING_CONFIG.features). `imagenet-logits` outputs the pooled features too. */
  features?: FeatureKind;
}

/**
 * Appends DequantizeLinear (uint8 -> float32 with the pool's own scale/zero point) and Flatten after the pooled
 * tensor, exposes it as a graph output, and prunes nodes and initializers no output needs any more.
 * Dequantising in the graph keeps the TS side free of quantisation details.
 */
export function exposeFeatures(modelBytes: Uint8Array, options: ExposeFeaturesOptions = {}): Buffer {
  return Buffer.from(onnx.ModelProto.encode(featureModel(modelBytes, options)).finish());
}

/** The edited model itself, for callers that extend it further (the exporter appends the head). */
export function featureModel(modelBytes: Uint8Array, options: ExposeFeaturesOptions = {}): onnx.ModelProto {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph as onnx.GraphProto | null | undefined;
  if (!graph) throw new Error('ONNX model has no graph');
  const kind = options.features ?? DEFAULT_TRAINING_CONFIG.features;

  const produced = new Set(graph.node.flatMap((n) => n.output));
  const initNames = new Set(graph.initializer.map((t) => t.name));
  if (!produced.has(POOLED_TENSOR)) throw new Error(`model has no tensor ${POOLED_TENSOR}: not the expected MobileNetV2 int8`);
  for (const name of [POOLED_SCALE, POOLED_ZERO_POINT]) {
    if (!initNames.has(name)) throw new Error(`model has no initializer ${name}`);
  }
  for (const name of [POOLED_OUTPUT, LOGITS_OUTPUT]) if (produced.has(name)) throw new Error(`model already has a tensor ${name}`);

  const dequantised = `${POOLED_OUTPUT}_4d`;
  graph.node.push(
    node('DequantizeLinear', [POOLED_TENSOR, POOLED_SCALE, POOLED_ZERO_POINT], dequantised),
    node('Flatten', [dequantised], POOLED_OUTPUT, [intAttribute('axis', 1)]),
  );
  const outputs = [floatValue(POOLED_OUTPUT, ['batch_size', POOLED_DIM])];
  if (kind === 'imagenet-logits') {
    const { weights, bias } = floatClassifier(graph);
    graph.initializer.push(floatConstant('imagenet_weight', [POOLED_DIM, LOGITS_DIM], weights), floatConstant('imagenet_bias', [LOGITS_DIM], bias));
    graph.node.push(node('MatMul', [POOLED_OUTPUT, 'imagenet_weight'], 'imagenet_product'), node('Add', ['imagenet_product', 'imagenet_bias'], LOGITS_OUTPUT));
    // The head's input comes first: the exporter and Backbone read FEATURE_OUTPUT by name anyway.
    outputs.unshift(floatValue(LOGITS_OUTPUT, ['batch_size', LOGITS_DIM]));
  }
  graph.output = options.keepLogits ? [...graph.output, ...outputs] : outputs;
  prune(graph);
  if (options.colour) prependNormalisation(graph, options.colour);
  return model;
}

/** Values of an initializer as numbers, whichever field the exporter stored them in. */
function tensorValues(t: onnx.ITensorProto): Float64Array {
  const T = onnx.TensorProto.DataType;
  const count = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (t.dataType) {
      case T.FLOAT: out[i] = view ? view.getFloat32(4 * i, true) : (t.floatData as number[])[i]; break;
      case T.INT8: out[i] = view ? view.getInt8(i) : (t.int32Data as number[])[i]; break;
      case T.UINT8: out[i] = view ? view.getUint8(i) : (t.int32Data as number[])[i]; break;
      case T.INT32: out[i] = view ? view.getInt32(4 * i, true) : (t.int32Data as number[])[i]; break;
      default: throw new Error(`unsupported initializer type ${t.dataType} for ${t.name}`);
    }
  }
  return out;
}

/** The classifier's int8 weights (per-output-column scale/zero point) and uint8 bias, dequantised. */
export function floatClassifier(graph: onnx.IGraphProto): { weights: Float32Array; bias: Float32Array } {
  const get = (suffix: string) => {
    const t = graph.initializer?.find((x) => x.name === `${CLASSIFIER}.${suffix}`);
    if (!t) throw new Error(`model has no initializer ${CLASSIFIER}.${suffix}`);
    return tensorValues(t);
  };
  const wq = get('weight_quantized');
  const ws = get('weight_scale');
  const wz = get('weight_zero_point');
  const bq = get('bias_quantized');
  const bs = get('bias_scale');
  const bz = get('bias_zero_point');
  if (wq.length !== POOLED_DIM * LOGITS_DIM || ws.length !== LOGITS_DIM || bq.length !== LOGITS_DIM) throw new Error('unexpected classifier shape');
  const weights = new Float32Array(POOLED_DIM * LOGITS_DIM);
  for (let j = 0; j < POOLED_DIM; j++) {
    for (let k = 0; k < LOGITS_DIM; k++) weights[j * LOGITS_DIM + k] = (wq[j * LOGITS_DIM + k] - wz[wz.length === 1 ? 0 : k]) * ws[k];
  }
  const bias = Float32Array.from(bq, (v) => (v - bz[0]) * bs[0]);
  return { weights, bias };
}

/** Drops nodes and initializers that no graph output depends on (walks the graph backwards). */
function prune(graph: onnx.GraphProto): void {
  const needed = new Set(graph.output.map((o) => o.name));
  const kept: onnx.INodeProto[] = [];
  // Nodes are topologically sorted, so one backward sweep finds every producer.
  for (let i = graph.node.length - 1; i >= 0; i--) {
    const node = graph.node[i];
    if (node.output?.some((o) => needed.has(o))) {
      kept.push(node);
      for (const input of node.input ?? []) if (input) needed.add(input);
    }
  }
  graph.node = kept.reverse() as onnx.NodeProto[];
  graph.initializer = graph.initializer.filter((t) => needed.has(t.name));
  graph.valueInfo = graph.valueInfo.filter((v) => needed.has(v.name));
}
