/** Provisioning progress: a cli-progress bar (files and bytes) when enabled, silence otherwise. */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  bytes(delta: number): void;
  fileDone(): void;
  stop(): void;
}

const MIB = 1024 * 1024;

export function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

/** A bar over all manifest files; verified-present files count as done so it ends at 100%. */
export function createProgress(enabled: boolean, totalFiles: number, totalBytes: number): Progress {
  if (!enabled) return { bytes: () => undefined, fileDone: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: 'assets |{bar}| {percentage}% | {files}/{totalFiles} files | {mib}/{totalMib} MiB | ETA {eta_formatted}',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let files = 0;
  let bytes = 0;
  const payload = (): Record<string, string | number> => ({ files, totalFiles, mib: mib(bytes), totalMib: mib(totalBytes) });
  bar.start(totalBytes, 0, payload());
  return {
    bytes(delta) {
      bytes += delta;
      bar.update(bytes, payload());
    },
    fileDone() {
      files += 1;
      bar.update(bytes, payload());
    },
    stop() {
      bar.stop();
    },
  };
}
