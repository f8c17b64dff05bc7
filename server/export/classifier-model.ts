/**
 * @module The exported model: one ONNX graph from raw RGB pixels to tag probabilities. It is the
 * service's own feature graph (views, normalisation inside, backbone, pooled features) with the
 * trained head appended and the views' probabilities averaged, so it computes exactly what the
 * service computes.
 */
import { onnx } from 'onnx-proto';
import { DEFAULT_TRAINING_CONFIG, predictVariants } from '../ml/config';
import { featureDim, featureModel, FEATURES_OUTPUT } from '../ml/graph';
import type { HeadModel } from '../ml/head';
import { INPUT_SIZE } from '../ml/image';
import { readMobileNetV2Weights } from '../ml/mobilenet-v2';
import { floatConstant, floatValue, intAttribute, node } from '../ml/onnx-build';
import { NORMALISATION_TEXT, RAW_INPUT } from '../ml/preprocess-graph';
import { averageViews, stackViews } from '../ml/views-graph';

export const MODEL_INPUT = RAW_INPUT;
/** Named like the score output of Custom Vision's classification exports. */
export const MODEL_OUTPUT = 'loss';

export interface ClassifierModel {
  bytes: Buffer;
  type: HeadModel['type'];
  inputSize: number;
  normalisation: string;
  /** The flips/rotations of the image whose probabilities the model averages (first: the image itself). */
  views: string[];
}

/** Head nodes after the pooled features: [l2] -> standardise -> linear -> softmax | sigmoid. */
function appendHead(graph: onnx.GraphProto, head: HeadModel): void {
  const dim = featureDim(DEFAULT_TRAINING_CONFIG.layers);
  if (head.dim !== dim) throw new Error(`the head expects ${head.dim} features, the backbone gives ${dim}`);
  let x = FEATURES_OUTPUT;
  const nodes: onnx.NodeProto[] = [];
  if (head.l2) {
    nodes.push(node('LpNormalization', [x], 'head_l2', [intAttribute('axis', 1), intAttribute('p', 2)]));
    x = 'head_l2';
  }
  if (head.mean && head.scale) {
    graph.initializer.push(floatConstant('head_mean', [1, head.dim], head.mean), floatConstant('head_scale', [1, head.dim], head.scale));
    nodes.push(node('Sub', [x, 'head_mean'], 'head_centred'), node('Div', ['head_centred', 'head_scale'], 'head_standardised'));
    x = 'head_standardised';
  }
  // MatMul wants [dim, classes]; the head stores weights class-major ([classes, dim]).
  const transposed = new Float32Array(head.dim * head.classes);
  for (let k = 0; k < head.classes; k++) for (let j = 0; j < head.dim; j++) transposed[j * head.classes + k] = head.weights[k * head.dim + j];
  graph.initializer.push(floatConstant('head_weights', [head.dim, head.classes], transposed), floatConstant('head_bias', [head.classes], head.bias));
  nodes.push(
    node('MatMul', [x, 'head_weights'], 'head_product'),
    node('Add', ['head_product', 'head_bias'], 'head_logits'),
    head.type === 'Multiclass' ? node('Softmax', ['head_logits'], MODEL_OUTPUT, [intAttribute('axis', 1)]) : node('Sigmoid', ['head_logits'], MODEL_OUTPUT),
  );
  graph.node.push(...nodes);
  graph.output = [floatValue(MODEL_OUTPUT, ['batch_size', head.classes])];
}

/** The model metadata Custom Vision tools read to feed an image (also listed in cvexport.manifest). */
export const IMAGE_METADATA: Readonly<Record<string, string>> = {
  'Image.BitmapPixelFormat': 'Rgb8',
  'Image.ColorSpaceGamma': 'SRGB',
  'Image.NominalPixelRange': 'NominalRange_0_255',
};

/** Builds the whole classifier graph for a trained head, with the metadata Custom Vision tools read. */
export function buildClassifierModel(head: HeadModel, weightsDir: string): ClassifierModel {
  const { colour, layers } = DEFAULT_TRAINING_CONFIG;
  const views = predictVariants().map((v) => v.view);
  const model = featureModel(readMobileNetV2Weights(weightsDir), { colour, layers });
  const graph = model.graph as onnx.GraphProto;
  // The served input size, stated exactly (the service's graph accepts any size for its training scales).
  graph.input = [floatValue(RAW_INPUT, ['batch_size', 3, INPUT_SIZE, INPUT_SIZE])];
  stackViews(graph, RAW_INPUT, views);
  appendHead(graph, head);
  averageViews(graph, MODEL_OUTPUT, views.length, head.classes);
  model.metadataProps = Object.entries(IMAGE_METADATA).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }));
  return {
    bytes: Buffer.from(onnx.ModelProto.encode(model).finish()),
    type: head.type,
    inputSize: INPUT_SIZE,
    normalisation: NORMALISATION_TEXT[colour],
    views,
  };
}
