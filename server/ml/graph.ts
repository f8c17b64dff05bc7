/** @module Edits the MobileNetV2 int8 ONNX graph: raw RGB in (normalised inside), the 1280 pooled features out as float32. */
import { onnx } from 'onnx-proto';
import type { ColourNormalisation } from './image';
import { prependNormalisation } from './preprocess-graph';

/** The QLinearGlobalAveragePool output of the zoo model and its quantisation parameters. */
export const POOLED_TENSOR = '464_quantized';
export const POOLED_SCALE = '464_scale';
export const POOLED_ZERO_POINT = '464_zero_point';
/** Name of the added graph output: float32 [N, 1280]. */
export const FEATURE_OUTPUT = 'pooled_features';
export const FEATURE_DIM = 1280;

export interface ExposeFeaturesOptions {
  /** Keep the original 1000-way `output` too; off by default, the classifier is pruned as dead weight. */
  keepLogits?: boolean;
  /** Pixel normalisation put in front of the network (its input becomes raw 0-255 RGB); none when absent. */
  colour?: ColourNormalisation;
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

  const produced = new Set(graph.node.flatMap((n) => n.output));
  const initNames = new Set(graph.initializer.map((t) => t.name));
  if (!produced.has(POOLED_TENSOR)) throw new Error(`model has no tensor ${POOLED_TENSOR}: not the expected MobileNetV2 int8`);
  for (const name of [POOLED_SCALE, POOLED_ZERO_POINT]) {
    if (!initNames.has(name)) throw new Error(`model has no initializer ${name}`);
  }
  if (produced.has(FEATURE_OUTPUT)) throw new Error(`model already has a tensor ${FEATURE_OUTPUT}`);

  const dequantised = `${FEATURE_OUTPUT}_4d`;
  graph.node.push(
    onnx.NodeProto.create({
      name: 'features_dequantize',
      opType: 'DequantizeLinear',
      domain: '',
      input: [POOLED_TENSOR, POOLED_SCALE, POOLED_ZERO_POINT],
      output: [dequantised],
    }),
    onnx.NodeProto.create({
      name: 'features_flatten',
      opType: 'Flatten',
      domain: '',
      input: [dequantised],
      output: [FEATURE_OUTPUT],
      attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 })],
    }),
  );

  const featureOutput = onnx.ValueInfoProto.create({
    name: FEATURE_OUTPUT,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: [
            onnx.TensorShapeProto.Dimension.create({ dimParam: 'batch_size' }),
            onnx.TensorShapeProto.Dimension.create({ dimValue: FEATURE_DIM }),
          ],
        }),
      }),
    }),
  });
  graph.output = options.keepLogits ? [...graph.output, featureOutput] : [featureOutput];
  prune(graph);
  if (options.colour) prependNormalisation(graph, options.colour);
  return model;
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
