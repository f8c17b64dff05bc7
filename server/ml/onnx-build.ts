/** @module Small builders for ONNX graph pieces (constants, nodes, tensor types), shared by the graph edits. */
import { onnx } from 'onnx-proto';

export function floatConstant(name: string, dims: number[], values: ArrayLike<number>): onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) });
}

export function intsAttribute(name: string, ints: number[]): onnx.AttributeProto {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
}

export function intAttribute(name: string, i: number): onnx.AttributeProto {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
}

export function node(opType: string, inputs: string[], output: string, attribute: onnx.AttributeProto[] = []): onnx.NodeProto {
  return onnx.NodeProto.create({ name: output, opType, domain: '', input: inputs, output: [output], attribute });
}

/** A float32 tensor value (graph input or output) with symbolic or fixed dimensions. */
export function floatValue(name: string, dims: (number | string)[]): onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'number' ? onnx.TensorShapeProto.Dimension.create({ dimValue: d }) : onnx.TensorShapeProto.Dimension.create({ dimParam: d }))),
        }),
      }),
    }),
  });
}
