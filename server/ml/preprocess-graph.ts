/**
 * @module Puts the pixel normalisation inside the backbone graph: the model then takes raw RGB
 * values (0-255, CHW float32). The service and exported models run the very same operations, so
 * an exported model predicts exactly like the service.
 */
import { onnx } from 'onnx-proto';
import type { ColourNormalisation } from './image';
import { floatConstant, intAttribute, intsAttribute, node } from './onnx-build';

/** The raw-pixel input every model of ours takes: float32 [N, 3, height, width] (224 x 224 as served), RGB, 0-255. */
export const RAW_INPUT = 'data';

export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];
/** Floor of the per-image standard deviation, in grey levels: a flat image maps to ~0 instead of amplified noise. */
export const MIN_STD = 2;
/** Colour-constancy gains are kept within [1/MAX_GAIN, MAX_GAIN]: a nearly empty channel is not blown up into noise. */
export const MAX_GAIN = 4;
/** Floor of a channel's mean (or Minkowski norm), in grey levels, before dividing by it. */
const MIN_LEVEL = 1;
/** Minkowski norm of shades-of-grey (Finlayson and Trezzi 2004: p = 6 works best on their sets). */
const SHADES_OF_GREY_P = 6;

/** What each normalisation does, in words (the exported manifest and README quote it). */
export const NORMALISATION_TEXT: Record<ColourNormalisation, string> = {
  imagenet: 'ImageNet: (value / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] per channel',
  'gray-world': `gray-world colour balance (each channel scaled so its mean equals the mean of the three channel means, gains within [1/${MAX_GAIN}, ${MAX_GAIN}]), then ImageNet normalisation`,
  'shades-of-grey': `shades-of-grey colour balance (gray-world on the L${SHADES_OF_GREY_P} norm of each channel, gains within [1/${MAX_GAIN}, ${MAX_GAIN}]), then ImageNet normalisation`,
  'mean-match': `each channel scaled so its mean equals the ImageNet mean (gains within [1/${MAX_GAIN}, ${MAX_GAIN}]), then ImageNet normalisation`,
  'per-image': `each colour channel standardised with the image's own mean and standard deviation (std floored at ${MIN_STD} grey levels)`,
};

interface Fragment {
  nodes: onnx.NodeProto[];
  constants: onnx.TensorProto[];
}

const SPATIAL = () => [intsAttribute('axes', [2, 3]), intAttribute('keepdims', 1)];

/** `input` -> the backbone's own (v/255 - mean) / std into `target`. */
function imagenet(input: string, target: string): Fragment {
  return {
    nodes: [node('Mul', [input, 'pre_scale'], 'pre_scaled'), node('Add', ['pre_scaled', 'pre_shift'], target)],
    constants: [
      floatConstant('pre_scale', [1, 3, 1, 1], IMAGENET_STD.map((s) => 1 / (255 * s))),
      floatConstant('pre_shift', [1, 3, 1, 1], IMAGENET_MEAN.map((m, c) => -m / IMAGENET_STD[c])),
    ],
  };
}

/**
 * Per-image, per-channel gains from each channel's illuminant estimate `level` ([N, 3, 1, 1]):
 * towards the mean of the three estimates (grey) or towards fixed per-channel targets; then RAW_INPUT
 * times the gains. Scaling all channels alike keeps a gray-world image's brightness.
 */
function balanced(level: Fragment & { output: string }, towards: 'grey' | number[]): Fragment & { output: string } {
  const nodes = [...level.nodes, node('Max', [level.output, 'pre_min_level'], 'pre_level')];
  const constants = [
    ...level.constants,
    floatConstant('pre_min_level', [], [MIN_LEVEL]),
    floatConstant('pre_min_gain', [], [1 / MAX_GAIN]),
    floatConstant('pre_max_gain', [], [MAX_GAIN]),
  ];
  if (towards === 'grey') {
    nodes.push(node('ReduceMean', ['pre_level'], 'pre_target', [intsAttribute('axes', [1]), intAttribute('keepdims', 1)]));
  } else {
    constants.push(floatConstant('pre_target', [1, 3, 1, 1], towards));
  }
  nodes.push(
    node('Div', ['pre_target', 'pre_level'], 'pre_gain_raw'),
    node('Clip', ['pre_gain_raw', 'pre_min_gain', 'pre_max_gain'], 'pre_gain'),
    node('Mul', [RAW_INPUT, 'pre_gain'], 'pre_balanced'),
  );
  return { nodes, constants, output: 'pre_balanced' };
}

/** Each channel's mean, [N, 3, 1, 1]. */
function channelMeans(): Fragment & { output: string } {
  return { nodes: [node('ReduceMean', [RAW_INPUT], 'pre_mean', SPATIAL())], constants: [], output: 'pre_mean' };
}

/** Each channel's Minkowski p-norm mean, (mean v^p)^(1/p), in grey levels, [N, 3, 1, 1]. */
function channelNorms(p: number): Fragment & { output: string } {
  return {
    nodes: [
      // On v/255, so v^6 stays far inside float32's range.
      node('Mul', [RAW_INPUT, 'pre_unit'], 'pre_unit_values'),
      node('Pow', ['pre_unit_values', 'pre_p'], 'pre_powers'),
      node('ReduceMean', ['pre_powers'], 'pre_power_mean', SPATIAL()),
      node('Pow', ['pre_power_mean', 'pre_inverse_p'], 'pre_unit_norm'),
      node('Mul', ['pre_unit_norm', 'pre_levels'], 'pre_norm'),
    ],
    constants: [
      floatConstant('pre_unit', [], [1 / 255]),
      floatConstant('pre_p', [], [p]),
      floatConstant('pre_inverse_p', [], [1 / p]),
      floatConstant('pre_levels', [], [255]),
    ],
    output: 'pre_norm',
  };
}

/** Each channel standardised with the image's own mean and std (floored at MIN_STD). */
function perImage(target: string): Fragment {
  return {
    nodes: [
      node('ReduceMean', [RAW_INPUT], 'pre_mean', SPATIAL()),
      node('Sub', [RAW_INPUT, 'pre_mean'], 'pre_centred'),
      node('Mul', ['pre_centred', 'pre_centred'], 'pre_squares'),
      node('ReduceMean', ['pre_squares'], 'pre_variance', SPATIAL()),
      // sqrt(max(var, MIN_STD^2)) = max(std, MIN_STD), and it also guards against a negative rounding error.
      node('Max', ['pre_variance', 'pre_min_variance'], 'pre_variance_floored'),
      node('Sqrt', ['pre_variance_floored'], 'pre_std'),
      node('Div', ['pre_centred', 'pre_std'], target),
    ],
    constants: [floatConstant('pre_min_variance', [], [MIN_STD * MIN_STD])],
  };
}

/** Nodes from RAW_INPUT to `target` (the network's normalised input); see NORMALISATION_TEXT. */
function normalisation(colour: ColourNormalisation, target: string): Fragment {
  if (colour === 'imagenet') return imagenet(RAW_INPUT, target);
  if (colour === 'per-image') return perImage(target);
  const gains =
    colour === 'gray-world'
      ? balanced(channelMeans(), 'grey')
      : colour === 'shades-of-grey'
        ? balanced(channelNorms(SHADES_OF_GREY_P), 'grey')
        : balanced(channelMeans(), IMAGENET_MEAN.map((m) => 255 * m));
  const tail = imagenet(gains.output, target);
  return { nodes: [...gains.nodes, ...tail.nodes], constants: [...gains.constants, ...tail.constants] };
}

/** Replaces the graph's single input by RAW_INPUT (same shape) followed by the chosen normalisation. */
export function prependNormalisation(graph: onnx.GraphProto, colour: ColourNormalisation): void {
  if (graph.input.length !== 1) throw new Error(`expected one graph input, found ${graph.input.length}`);
  const original = graph.input[0];
  const { nodes, constants } = normalisation(colour, original.name as string);
  graph.node = [...nodes, ...graph.node] as onnx.NodeProto[];
  graph.initializer.push(...constants);
  graph.input = [onnx.ValueInfoProto.create({ ...original, name: RAW_INPUT })];
}
