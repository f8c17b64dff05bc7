/**
 * @module The backbone's feature graph: raw RGB in, the pixel normalisation, the float MobileNetV2,
 * and the pooled activations of the chosen layers out, concatenated into one feature vector.
 */
import { createHash } from 'node:crypto';
import { onnx } from 'onnx-proto';
import { PREPROCESS_VERSION, type ColourNormalisation } from './image';
import { buildMobileNetV2, layerWidth, pooledOutput, type Layer, type MobileNetV2Weights } from './mobilenet-v2';
import { floatValue, intAttribute, node } from './onnx-build';
import { prependNormalisation } from './preprocess-graph';

/** The feature graph's output: float32 [N, featureDim(layers)]. */
export const FEATURES_OUTPUT = 'features';

export interface FeatureGraphOptions {
  /** Pixel normalisation put in front of the network (its input becomes raw 0-255 RGB). */
  colour: ColourNormalisation;
  /** Layers whose pooled activations make the features, in this order. */
  layers: readonly Layer[];
}

/** Width of the feature vector of these layers. */
export function featureDim(layers: readonly Layer[]): number {
  return layers.reduce((sum, layer) => sum + layerWidth(layer), 0);
}

/** The feature model itself, for callers that extend it further (the exporter appends the head). */
export function featureModel(weights: MobileNetV2Weights, options: FeatureGraphOptions): onnx.ModelProto {
  const model = buildMobileNetV2(weights, options.layers);
  const graph = model.graph as onnx.GraphProto;
  const pooled = options.layers.map(pooledOutput);
  graph.node.push(pooled.length === 1 ? node('Identity', pooled, FEATURES_OUTPUT) : node('Concat', pooled, FEATURES_OUTPUT, [intAttribute('axis', 1)]));
  graph.output = [floatValue(FEATURES_OUTPUT, ['batch_size', featureDim(options.layers)])];
  prependNormalisation(graph, options.colour);
  return model;
}

/**
 * featureModel, encoded, and its fingerprint: a hash of the graph (weights, normalisation, layers)
 * and of the pixel rules around it. Features, and heads trained on them, belong to one fingerprint.
 */
export function featureGraph(weights: MobileNetV2Weights, options: FeatureGraphOptions): { bytes: Buffer; fingerprint: string } {
  const bytes = Buffer.from(onnx.ModelProto.encode(featureModel(weights, options)).finish());
  return { bytes, fingerprint: createHash('sha256').update(bytes).update(`\0${PREPROCESS_VERSION}`).digest('hex') };
}
