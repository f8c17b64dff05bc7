/** @module What a project card shows beyond the project itself: image count, newest iteration, a thumbnail. */
import type { Api } from '../../api/client';
import type { Image, Iteration, Project } from '../../api/types';

export interface ProjectSummary {
  imageCount: number;
  lastIteration: Iteration | undefined;
  /** The project's thumbnail, else its newest image's, else none. */
  thumbnailUri: string | undefined;
}

export function newestIteration(iterations: Iteration[]): Iteration | undefined {
  return [...iterations].sort((a, b) => b.created.localeCompare(a.created))[0];
}

export async function loadProjectSummary(api: Api, project: Project): Promise<ProjectSummary> {
  const [imageCount, iterations, images] = await Promise.all([
    api.training<number>('GET', `/projects/${project.id}/images/count`),
    api.training<Iteration[]>('GET', `/projects/${project.id}/iterations`),
    project.thumbnailUri ? Promise.resolve([]) : api.training<Image[]>('GET', `/projects/${project.id}/images`, { query: { take: 1 } }),
  ]);
  return { imageCount, lastIteration: newestIteration(iterations), thumbnailUri: project.thumbnailUri || images[0]?.thumbnailUri };
}
