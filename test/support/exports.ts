/** @module Waiting for an export through the official SDK, without the lab's helpers (the fixture script runs against older trees too). */
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';

/** Polls the iteration's export of `platform` until it is Done; throws if it fails or takes longer than `timeoutMs`. */
export async function waitForExport(
  trainer: TrainingAPIClient,
  projectId: string,
  iterationId: string,
  platform: TrainingAPIModels.ExportPlatform,
  { pollMs = 200, timeoutMs = 120_000 } = {},
): Promise<TrainingAPIModels.ExportModel> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = (await trainer.getExports(projectId, iterationId)).find((e) => e.platform === platform);
    if (current?.status === 'Done') return current;
    if (current?.status === 'Failed') throw new Error(`the ${platform} export failed`);
    if (Date.now() > deadline) throw new Error(`the ${platform} export is still ${current?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
