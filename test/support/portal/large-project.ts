/** @module A project of thousands of distinct made-up tiles, uploaded through the SDK in batches of 64: the portal's speed case. */
import { syntheticTile, type TileKind } from '../synthetic-tiles';
import { trainingClient } from '../sdk';

const KINDS: TileKind[] = ['Barren', 'Cultivated', 'Developed'];
const BATCH = 64;

/** Creates project `name` with `count` tagged images (a third per kind); resolves with its id. */
export async function makeLargeProject(serviceUrl: string, name: string, count: number): Promise<string> {
  const trainer = trainingClient(serviceUrl);
  const projectId = (await trainer.createProject(name)).id as string;
  const tagIds = new Map<TileKind, string>();
  for (const kind of KINDS) tagIds.set(kind, (await trainer.createTag(projectId, kind)).id as string);
  for (let start = 0; start < count; start += BATCH) {
    const indices = Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => start + i);
    const images = await Promise.all(
      indices.map(async (index) => {
        const kind = KINDS[index % KINDS.length];
        return { name: `${kind}-${index}.jpg`, contents: await syntheticTile(kind, index), tagIds: [tagIds.get(kind) as string] };
      }),
    );
    const summary = await trainer.createImagesFromFiles(projectId, { images });
    const failed = (summary.images ?? []).filter((image) => image.status !== 'OK');
    if (failed.length) throw new Error(`upload of the large project: ${failed.map((f) => `${f.sourceUrl} ${f.status}`).join(', ')}`);
  }
  return projectId;
}
