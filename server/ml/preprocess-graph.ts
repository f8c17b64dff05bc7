/**
 * @module Puts the pixel normalisation inside the backbone graph: the model then takes raw RGB
 * values (0-255, CHW float32). The service and exported models run the very same operations, so
 * an exported model predicts exactly like the service.
 */
import { onnx } from 'onnx-proto';
import type { ColourNormalisation } from './image';
import { floatConstant, floatValue, intAttribute, intsAttribute, node } from './onnx-build';

/** The raw-pixel input every model of ours takes: float32 [N, 3, 224, 224], RGB, 0-255. */
export const RAW_INPUT = 'data';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
/** Floor of the per-image standard deviation, in grey levels: a flat image maps to ~0 instead of amplified noise. */
export const MIN_STD = 2;

/**
 * Nodes from RAW_INPUT to `target` (the zoo model's normalised input):
 * - `per-image`: each channel standardised with the image's own mean and std (floored at MIN_STD);
 * - `imagenet`: the backbone's own (v/255 - mean) / std.
 */
function normalisation(colour: ColourNormalisation, target: string): { nodes: onnx.NodeProto[]; constants: onnx.TensorProto[] } {
  if (colour === 'imagenet') {
    return {
      nodes: [node('Mul', [RAW_INPUT, 'pre_scale'], 'pre_scaled'), node('Add', ['pre_scaled', 'pre_shift'], target)],
      constants: [
        floatConstant('pre_scale', [1, 3, 1, 1], IMAGENET_STD.map((s) => 1 / (255 * s))),
        floatConstant('pre_shift', [1, 3, 1, 1], IMAGENET_MEAN.map((m, c) => -m / IMAGENET_STD[c])),
      ],
    };
  }
  const spatial = [intsAttribute('axes', [2, 3]), intAttribute('keepdims', 1)];
  return {
    nodes: [
      node('ReduceMean', [RAW_INPUT], 'pre_mean', spatial),
      node('Sub', [RAW_INPUT, 'pre_mean'], 'pre_centred'),
      node('Mul', ['pre_centred', 'pre_centred'], 'pre_squares'),
      node('ReduceMean', ['pre_squares'], 'pre_variance', spatial),
      // sqrt(max(var, MIN_STD^2)) = max(std, MIN_STD), and it also guards against a negative rounding error.
      node('Max', ['pre_variance', 'pre_min_variance'], 'pre_variance_floored'),
      node('Sqrt', ['pre_variance_floored'], 'pre_std'),
      node('Div', ['pre_centred', 'pre_std'], target),
    ],
    constants: [floatConstant('pre_min_variance', [], [MIN_STD * MIN_STD])],
  };
}

/** Replaces the graph's single input by RAW_INPUT followed by the chosen normalisation. */
export function prependNormalisation(graph: onnx.GraphProto, colour: ColourNormalisation): void {
  if (graph.input.length !== 1) throw new Error(`expected one graph input, found ${graph.input.length}`);
  const original = graph.input[0].name as string;
  const { nodes, constants } = normalisation(colour, original);
  graph.node = [...nodes, ...graph.node] as onnx.NodeProto[];
  graph.initializer.push(...constants);
  graph.input = [floatValue(RAW_INPUT, ['batch_size', 3, 224, 224])];
}
