/**
 * @module Test-time averaging inside a graph: the dihedral views of the input image side by side
 * in the batch, and the mean of their probabilities at the end. Exported models then predict from
 * the same views as the service (image.ts's VIEWS, the same pixel moves as rgbTensor).
 */
import { onnx } from 'onnx-proto';
import type { View } from './image';
import { int64Constant, intAttribute, intsAttribute, node } from './onnx-build';

/** Each view as pixel moves on [N, C, H, W]: transpose H and W first, then reverse H and/or W. */
const MOVES: Record<View, { transpose: boolean; reverseH: boolean; reverseW: boolean }> = {
  identity: { transpose: false, reverseH: false, reverseW: false },
  flip: { transpose: false, reverseH: false, reverseW: true },
  'flip-rot180': { transpose: false, reverseH: true, reverseW: false },
  rot180: { transpose: false, reverseH: true, reverseW: true },
  rot90: { transpose: true, reverseH: false, reverseW: true },
  rot270: { transpose: true, reverseH: true, reverseW: false },
  'flip-rot90': { transpose: true, reverseH: true, reverseW: true },
  'flip-rot270': { transpose: true, reverseH: false, reverseW: false },
};

const INT64_MIN = -(2n ** 63n);

/**
 * Feeds the graph's consumers of `input` with the views of it stacked along the batch axis
 * ([V * N, C, H, W], view-major), in the given order.
 */
export function stackViews(graph: onnx.GraphProto, input: string, views: readonly View[]): void {
  const stacked = `${input}_views`;
  for (const n of graph.node) n.input = (n.input ?? []).map((name) => (name === input ? stacked : name));
  const nodes: onnx.NodeProto[] = [];
  const outputs = views.map((view, v) => {
    const moves = MOVES[view];
    let x = input;
    const step = (name: string, make: (from: string, to: string) => onnx.NodeProto) => {
      const to = `${input}_view${v}_${name}`;
      nodes.push(make(x, to));
      x = to;
    };
    if (moves.transpose) step('transposed', (from, to) => node('Transpose', [from], to, [intsAttribute('perm', [0, 1, 3, 2])]));
    const axes = [...(moves.reverseH ? [2n] : []), ...(moves.reverseW ? [3n] : [])];
    if (axes.length > 0) {
      const key = axes.join('');
      if (!graph.initializer.some((t) => t.name === `reverse_axes_${key}`)) {
        graph.initializer.push(
          int64Constant(`reverse_starts_${key}`, [axes.length], axes.map(() => -1n)),
          int64Constant(`reverse_ends_${key}`, [axes.length], axes.map(() => INT64_MIN)),
          int64Constant(`reverse_axes_${key}`, [axes.length], axes),
          int64Constant(`reverse_steps_${key}`, [axes.length], axes.map(() => -1n)),
        );
      }
      step('reversed', (from, to) => node('Slice', [from, `reverse_starts_${key}`, `reverse_ends_${key}`, `reverse_axes_${key}`, `reverse_steps_${key}`], to));
    }
    return x;
  });
  nodes.push(views.length === 1 ? node('Identity', outputs, stacked) : node('Concat', outputs, stacked, [intAttribute('axis', 0)]));
  graph.node = [...nodes, ...graph.node] as onnx.NodeProto[];
}

/** Replaces the graph output `output` ([V * N, K], view-major) by the mean over its V views ([N, K]), same name. */
export function averageViews(graph: onnx.GraphProto, output: string, views: number, classes: number): void {
  const perView = `${output}_per_view`;
  for (const n of graph.node) {
    if (!n.output?.includes(output)) continue;
    n.output = n.output.map((name) => (name === output ? perView : name));
    // Node names must stay unique, and ours are named after their output.
    if (n.name === output) n.name = perView;
  }
  graph.initializer.push(int64Constant('views_shape', [3], [BigInt(views), -1n, BigInt(classes)]));
  graph.node.push(
    node('Reshape', [perView, 'views_shape'], `${output}_by_view`),
    node('ReduceMean', [`${output}_by_view`], output, [intsAttribute('axes', [0]), intAttribute('keepdims', 0)]),
  );
}
