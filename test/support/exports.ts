/** @module Requesting an export through the Training SDK and downloading it, as the notebook does. */
import { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';

export async function exportAndDownload(
  trainer: TrainingAPIClient,
  projectId: string,
  iterationId: string,
  platform: TrainingAPIModels.ExportPlatform,
  flavor?: TrainingAPIModels.ExportFlavor,
): Promise<{ exported: TrainingAPIModels.ExportModel; zip: Buffer }> {
  const started = await trainer.exportIteration(projectId, iterationId, platform, flavor ? { flavor } : undefined);
  if (started.status !== 'Exporting' && started.status !== 'Done') throw new Error(`unexpected export status ${started.status}`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const exports = await trainer.getExports(projectId, iterationId);
    const mine = exports.find((e) => e.platform === platform && (e.flavor ?? undefined) === flavor);
    if (mine?.status === 'Done') {
      const response = await fetch(mine.downloadUri as string);
      if (!response.ok) throw new Error(`download failed: HTTP ${response.status}`);
      return { exported: mine, zip: Buffer.from(await response.arrayBuffer()) };
    }
    if (mine?.status === 'Failed') throw new Error('export failed');
    if (Date.now() > deadline) throw new Error('export still running after 180 s');
    await new Promise((r) => setTimeout(r, 300));
  }
}
