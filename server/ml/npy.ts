/** @module Reads NumPy .npy files of float32 arrays (the per-layer weights of the float backbone). */
import { readFileSync } from 'node:fs';
import { parse } from 'npyjs';

export interface FloatArray {
  shape: number[];
  data: Float32Array;
}

/** A C-ordered float32 array from a .npy file; anything else is refused with the file named. */
export function readFloatNpy(file: string): FloatArray {
  const bytes = readFileSync(file);
  let parsed;
  try {
    parsed = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } catch (error) {
    throw new Error(`${file}: not a readable .npy file (${(error as Error).message})`);
  }
  if (parsed.dtype !== 'f4' || !(parsed.data instanceof Float32Array)) throw new Error(`${file}: expected float32 data, found ${parsed.dtype}`);
  if (parsed.fortranOrder) throw new Error(`${file}: Fortran-ordered arrays are not supported`);
  const count = parsed.shape.reduce((a, d) => a * d, 1);
  if (parsed.data.length !== count) throw new Error(`${file}: ${parsed.data.length} values for shape [${parsed.shape}]`);
  return { shape: parsed.shape, data: parsed.data };
}
