/** @module Export platforms: the spec's list, and the ones the local service builds (with their flavors). */

export const EXPORT_PLATFORMS: readonly string[] = ['CoreML', 'TensorFlow', 'DockerFile', 'ONNX', 'VAIDK', 'OpenVino'];

/**
 * What the local service builds, per platform: the flavors it accepts (null = none given). Compact
 * domains only. A DockerFile without a flavor is the Linux one, as on Azure.
 */
export const LOCAL_EXPORTS: Readonly<Record<string, (string | null)[]>> = {
  ONNX: [null, 'ONNX12'],
  DockerFile: [null, 'Linux'],
};

export const LOCAL_EXPORT_PLATFORMS = Object.keys(LOCAL_EXPORTS);
