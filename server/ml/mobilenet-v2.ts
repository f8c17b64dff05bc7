/**
 * @module Builds the float32 MobileNetV2 1.0 224 (torchvision weights, the ONNX model zoo's
 * mobilenetv2-7) as an ONNX graph from its per-layer .npy weights. A float graph computes the same
 * features on every CPU, where the int8 zoo model's kernels differ between instruction sets.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { readFloatNpy, type FloatArray } from './npy';
import { floatConstant, floatValue, intAttribute, intsAttribute, node } from './onnx-build';

/**
 * The network's own input: float32 [N, 3, height, width], RGB already normalised with the ImageNet
 * mean and std. Trained at 224 x 224; smaller sides work too (global pooling), see TrainingConfig.scales.
 */
export const NETWORK_INPUT = 'input';
/** ONNX opset of the built graph (and of every model made from it, exports included). */
export const OPSET = 12;

/**
 * The inverted-residual stages of the paper (Sandler et al. 2018, table 2): expansion factor,
 * output channels, blocks, stride of the first block. Strides are not in the weight files, so they
 * come from here; everything else is checked against the weight shapes.
 */
const STAGES = [
  { expansion: 1, channels: 16, blocks: 1, stride: 1 },
  { expansion: 6, channels: 24, blocks: 2, stride: 2 },
  { expansion: 6, channels: 32, blocks: 3, stride: 2 },
  { expansion: 6, channels: 64, blocks: 4, stride: 2 },
  { expansion: 6, channels: 96, blocks: 3, stride: 1 },
  { expansion: 6, channels: 160, blocks: 3, stride: 2 },
  { expansion: 6, channels: 320, blocks: 1, stride: 1 },
] as const;
const STEM_CHANNELS = 32;
/** Width of the last 1x1 convolution, whose pooled ReLU6 output is the classic feature vector. */
export const FINAL_CHANNELS = 1280;

/**
 * Places whose globally average-pooled activations the graph can output: the end of each stage
 * (`stage16` ... `stage320`, the block outputs, linear) and `final` (the last convolution's ReLU6).
 */
export type Layer = 'final' | `stage${(typeof STAGES)[number]['channels']}`;
export const LAYERS: readonly Layer[] = [...STAGES.map((s) => `stage${s.channels}` as Layer), 'final'];

/** Channels of a layer's pooled output. */
export function layerWidth(layer: Layer): number {
  return layer === 'final' ? FINAL_CHANNELS : Number(layer.slice('stage'.length));
}

/** Name of the graph output holding a layer's pooled activations, float32 [N, layerWidth]. */
export function pooledOutput(layer: Layer): string {
  return `pooled_${layer}`;
}

export interface ConvWeights {
  /** The zoo model's node number (conv_<n>). */
  index: number;
  weight: FloatArray;
  bias: FloatArray;
}

/** The convolutions in graph order (batch norm folded in). */
export interface MobileNetV2Weights {
  convs: ConvWeights[];
}

/** Reads every `conv_<n>_weight.npy` / `conv_<n>_bias.npy` of `<dir>/weights`, in node order. */
export function readMobileNetV2Weights(dir: string): MobileNetV2Weights {
  const weightsDir = path.join(dir, 'weights');
  if (!existsSync(weightsDir)) throw new Error(`no MobileNetV2 weights at ${weightsDir}: run \`npm run setup\``);
  const indexes = readdirSync(weightsDir)
    .map((f) => /^conv_(\d+)_weight\.npy$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  if (indexes.length === 0) throw new Error(`no conv_<n>_weight.npy files in ${weightsDir}: run \`npm run setup\``);
  return {
    convs: indexes.map((index) => ({
      index,
      weight: readFloatNpy(path.join(weightsDir, `conv_${index}_weight.npy`)),
      bias: readFloatNpy(path.join(weightsDir, `conv_${index}_bias.npy`)),
    })),
  };
}

/** Walks the convolutions in order, checking each against the shape the topology expects. */
class ConvSequence {
  private next = 0;
  constructor(private readonly convs: ConvWeights[]) {}

  take(outChannels: number, inChannels: number, kernel: number, group: number): ConvWeights {
    const conv = this.convs[this.next++];
    if (!conv) throw new Error(`MobileNetV2 weights end early: conv ${this.next} of ${this.convs.length}`);
    const expected = [outChannels, inChannels / group, kernel, kernel];
    if (conv.weight.shape.join() !== expected.join() || conv.bias.shape.join() !== String(outChannels)) {
      throw new Error(`conv_${conv.index}: weight [${conv.weight.shape}] bias [${conv.bias.shape}], expected [${expected}] and [${outChannels}]`);
    }
    return conv;
  }

  finish(): void {
    if (this.next !== this.convs.length) throw new Error(`MobileNetV2 weights have ${this.convs.length - this.next} unused convolutions`);
  }
}

/**
 * The float MobileNetV2 from its weights: NETWORK_INPUT in, and for each requested layer its
 * pooled activations out (see pooledOutput). The ImageNet classifier is not built: its weight is
 * not among the provisioned files, and the features are what the service needs.
 */
export function buildMobileNetV2(weights: MobileNetV2Weights, outputs: readonly Layer[] = ['final']): onnx.ModelProto {
  if (outputs.length === 0) throw new RangeError('at least one output layer is needed');
  const nodes: onnx.NodeProto[] = [];
  const initializers: onnx.TensorProto[] = [floatConstant('relu6_min', [], [0]), floatConstant('relu6_max', [], [6])];
  const convs = new ConvSequence(weights.convs);
  const taps = new Map<Layer, string>();

  const conv = (x: string, outChannels: number, inChannels: number, kernel: number, stride: number, group: number, relu6: boolean): string => {
    const w = convs.take(outChannels, inChannels, kernel, group);
    const name = `conv_${w.index}`;
    initializers.push(floatConstant(`${name}_weight`, w.weight.shape, w.weight.data), floatConstant(`${name}_bias`, w.bias.shape, w.bias.data));
    const pad = (kernel - 1) / 2;
    nodes.push(
      node('Conv', [x, `${name}_weight`, `${name}_bias`], name, [
        intsAttribute('kernel_shape', [kernel, kernel]),
        intsAttribute('strides', [stride, stride]),
        intsAttribute('pads', [pad, pad, pad, pad]),
        intsAttribute('dilations', [1, 1]),
        intAttribute('group', group),
      ]),
    );
    if (!relu6) return name;
    nodes.push(node('Clip', [name, 'relu6_min', 'relu6_max'], `${name}_relu6`));
    return `${name}_relu6`;
  };

  let x = conv(NETWORK_INPUT, STEM_CHANNELS, 3, 3, 2, 1, true);
  let channels = STEM_CHANNELS;
  for (const stage of STAGES) {
    for (let b = 0; b < stage.blocks; b++) {
      const stride = b === 0 ? stage.stride : 1;
      const hidden = channels * stage.expansion;
      let h = stage.expansion === 1 ? x : conv(x, hidden, channels, 1, 1, 1, true);
      h = conv(h, hidden, hidden, 3, stride, hidden, true);
      h = conv(h, stage.channels, hidden, 1, 1, 1, false);
      if (stride === 1 && channels === stage.channels) {
        nodes.push(node('Add', [x, h], `${h}_residual`));
        h = `${h}_residual`;
      }
      x = h;
      channels = stage.channels;
    }
    taps.set(`stage${stage.channels}` as Layer, x);
  }
  taps.set('final', conv(x, FINAL_CHANNELS, channels, 1, 1, 1, true));
  convs.finish();

  for (const layer of outputs) {
    const pooled = pooledOutput(layer);
    nodes.push(node('GlobalAveragePool', [taps.get(layer)!], `${pooled}_4d`), node('Flatten', [`${pooled}_4d`], pooled, [intAttribute('axis', 1)]));
  }
  const graph = onnx.GraphProto.create({
    name: 'mobilenetv2-1.0-float',
    node: nodes,
    initializer: initializers,
    input: [floatValue(NETWORK_INPUT, ['batch_size', 3, 'height', 'width'])],
    output: outputs.map((layer) => floatValue(pooledOutput(layer), ['batch_size', layerWidth(layer)])),
  });
  return onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
    producerName: 'local-custom-vision',
    graph,
  });
}
