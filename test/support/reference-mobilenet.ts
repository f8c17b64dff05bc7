/**
 * @module A plain float64 MobileNetV2 forward pass, written independently of the ONNX graph builder
 * (server/ml/mobilenet-v2.ts) to serve as a test oracle for it. It shares only the weight reader and
 * types: the stage table, the padding, ReLU6 and the pooling are restated here, so a mistake in the
 * graph builder does not silently repeat itself in the oracle. Batch size 1, square inputs.
 */
import type { ConvWeights, MobileNetV2Weights } from '../../server/ml/mobilenet-v2';

/** Sandler et al. 2018, table 2: expansion factor, output channels, blocks, stride of the first block. */
const STAGES: readonly { expansion: number; channels: number; blocks: number; stride: number }[] = [
  { expansion: 1, channels: 16, blocks: 1, stride: 1 },
  { expansion: 6, channels: 24, blocks: 2, stride: 2 },
  { expansion: 6, channels: 32, blocks: 3, stride: 2 },
  { expansion: 6, channels: 64, blocks: 4, stride: 2 },
  { expansion: 6, channels: 96, blocks: 3, stride: 1 },
  { expansion: 6, channels: 160, blocks: 3, stride: 2 },
  { expansion: 6, channels: 320, blocks: 1, stride: 1 },
];
const STEM_CHANNELS = 32;
const FINAL_CHANNELS = 1280;

/** A CHW activation map. */
interface Tensor {
  channels: number;
  height: number;
  width: number;
  data: Float64Array;
}

function tensor(channels: number, height: number, width: number): Tensor {
  return { channels, height, width, data: new Float64Array(channels * height * width) };
}

/** ReLU6 in place: clip(x, 0, 6). */
function relu6(t: Tensor): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 6 ? 6 : d[i];
  return t;
}

/** Hands out the convolutions in file order, refusing one whose shape is not what the topology expects. */
class Convs {
  private next = 0;
  constructor(private readonly convs: readonly ConvWeights[]) {}

  take(outChannels: number, inPerGroup: number, kernel: number): ConvWeights {
    const conv = this.convs[this.next++];
    if (!conv) throw new Error(`reference MobileNetV2: weights end at conv ${this.next - 1}`);
    const expected = [outChannels, inPerGroup, kernel, kernel].join();
    if (conv.weight.shape.join() !== expected || conv.bias.shape.join() !== String(outChannels)) {
      throw new Error(`reference MobileNetV2: conv_${conv.index} is [${conv.weight.shape}] + [${conv.bias.shape}], expected [${expected}] + [${outChannels}]`);
    }
    return conv;
  }

  finish(): void {
    if (this.next !== this.convs.length) throw new Error(`reference MobileNetV2: ${this.convs.length - this.next} convolutions left over`);
  }
}

/**
 * A k x k convolution with zero padding (k-1)/2, for `group` = 1 (the stem) or `group` = channels
 * (depthwise). Not used for the 1x1 layers, which pointwise() does much faster.
 */
function spatialConv(x: Tensor, conv: ConvWeights, outChannels: number, kernel: number, stride: number, group: number): Tensor {
  const pad = (kernel - 1) / 2;
  const outH = Math.floor((x.height + 2 * pad - kernel) / stride) + 1;
  const outW = Math.floor((x.width + 2 * pad - kernel) / stride) + 1;
  const y = tensor(outChannels, outH, outW);
  const inPerGroup = x.channels / group;
  const outPerGroup = outChannels / group;
  const w = conv.weight.data;
  const b = conv.bias.data;
  const inPlane = x.height * x.width;
  for (let o = 0; o < outChannels; o++) {
    const firstIn = Math.floor(o / outPerGroup) * inPerGroup;
    const yBase = o * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let sum = b[o];
        for (let i = 0; i < inPerGroup; i++) {
          const xBase = (firstIn + i) * inPlane;
          const wBase = (o * inPerGroup + i) * kernel * kernel;
          for (let ky = 0; ky < kernel; ky++) {
            const iy = oy * stride + ky - pad;
            if (iy < 0 || iy >= x.height) continue; // zero padding contributes nothing
            for (let kx = 0; kx < kernel; kx++) {
              const ix = ox * stride + kx - pad;
              if (ix < 0 || ix >= x.width) continue;
              sum += w[wBase + ky * kernel + kx] * x.data[xBase + iy * x.width + ix];
            }
          }
        }
        y.data[yBase + oy * outW + ox] = sum;
      }
    }
  }
  return y;
}

/**
 * A 1x1 convolution (stride 1, no padding): a matrix product of weights [out, in] with the input
 * [in, pixels]. Accumulated one whole input plane at a time, so the inner loop runs over contiguous memory.
 */
function pointwise(x: Tensor, conv: ConvWeights, outChannels: number): Tensor {
  const plane = x.height * x.width;
  const y = tensor(outChannels, x.height, x.width);
  const w = conv.weight.data;
  const b = conv.bias.data;
  const xs = x.data;
  const ys = y.data;
  for (let o = 0; o < outChannels; o++) {
    const yBase = o * plane;
    ys.fill(b[o], yBase, yBase + plane);
    for (let i = 0; i < x.channels; i++) {
      const weight = w[o * x.channels + i];
      const xBase = i * plane;
      for (let p = 0; p < plane; p++) ys[yBase + p] += weight * xs[xBase + p];
    }
  }
  return y;
}

/** Mean of each channel over all pixels. */
function globalAveragePool(x: Tensor): Float64Array {
  const plane = x.height * x.width;
  const out = new Float64Array(x.channels);
  for (let c = 0; c < x.channels; c++) {
    let sum = 0;
    for (let p = 0; p < plane; p++) sum += x.data[c * plane + p];
    out[c] = sum / plane;
  }
  return out;
}

/**
 * The 1280 globally average-pooled 'final' features (ReLU6 of the last 1x1 convolution) of one
 * image, `input` being float32 [1, 3, size, size] CHW, already ImageNet-normalised.
 */
export function referenceFeatures(weights: MobileNetV2Weights, input: Float32Array, size: number): Float64Array {
  if (input.length !== 3 * size * size) throw new RangeError(`expected ${3 * size * size} input values (3 x ${size} x ${size}), got ${input.length}`);
  const convs = new Convs(weights.convs);
  // Widen once; every later sum is in float64.
  let x: Tensor = { channels: 3, height: size, width: size, data: Float64Array.from(input) };

  x = relu6(spatialConv(x, convs.take(STEM_CHANNELS, 3, 3), STEM_CHANNELS, 3, 2, 1));
  for (const stage of STAGES) {
    for (let block = 0; block < stage.blocks; block++) {
      // Only the first block of a stage changes resolution; the others keep it and add their input back.
      const stride = block === 0 ? stage.stride : 1;
      const hidden = x.channels * stage.expansion;
      let h = x;
      if (stage.expansion !== 1) h = relu6(pointwise(h, convs.take(hidden, x.channels, 1), hidden));
      h = relu6(spatialConv(h, convs.take(hidden, 1, 3), hidden, 3, stride, hidden));
      h = pointwise(h, convs.take(stage.channels, hidden, 1), stage.channels); // linear bottleneck: no ReLU6
      if (stride === 1 && x.channels === stage.channels) {
        for (let i = 0; i < h.data.length; i++) h.data[i] += x.data[i];
      }
      x = h;
    }
  }
  x = relu6(pointwise(x, convs.take(FINAL_CHANNELS, x.channels, 1), FINAL_CHANNELS));
  convs.finish();
  return globalAveragePool(x);
}
