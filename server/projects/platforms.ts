/** @module Export platforms: the spec's list, and the ones the local service builds (with their flavors). */

export const EXPORT_PLATFORMS: readonly string[] = ['CoreML', 'TensorFlow', 'DockerFile', 'ONNX', 'VAIDK', 'OpenVino'];

/** What the local service builds, per platform: the flavors it accepts (null = none given). Compact domains only. */
export const LOCAL_EXPORTS: Readonly<Record<string, (string | null)[]>> = {
  ONNX: [null, 'ONNX12'],
  DockerFile: ['Linux'],
};

/** The flavor a request without one gets: a DockerFile without a flavor is the Linux one, as on Azure. */
export const DEFAULT_FLAVORS: Readonly<Record<string, string>> = { DockerFile: 'Linux' };

export const LOCAL_EXPORT_PLATFORMS = Object.keys(LOCAL_EXPORTS);
