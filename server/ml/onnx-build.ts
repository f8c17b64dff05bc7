/** @module Small builders for ONNX graph pieces (constants, nodes, tensor types), shared by the graph edits. */
import { onnx } from 'onnx-proto';

/** A float32 initializer, stored as little-endian raw bytes: encoding a JS number array (floatData) costs ~0.5 s for the 1.28 M classifier weights. */
export function floatConstant(name: string, dims: number[], values: ArrayLike<number>): onnx.TensorProto {
  const rawData = Buffer.alloc(4 * values.length);
  for (let i = 0; i < values.length; i++) rawData.writeFloatLE(values[i] as number, 4 * i);
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData });
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

/** An int64 initializer (Slice's starts/ends/axes/steps, Reshape's shape), as little-endian raw bytes. */
export function int64Constant(name: string, dims: number[], values: readonly bigint[]): onnx.TensorProto {
  const rawData = Buffer.from(BigInt64Array.from(values).buffer);
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData });
}
