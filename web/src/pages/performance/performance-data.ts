/**
 * @module An iteration's performance from the API, cached per iteration: a Completed iteration's
 * held-out results never change, so the slider, the curve and the comparison share one answer per threshold.
 */
import type { Api } from '../../api/client';
import type { ImagePerformance, IterationPerformance, Tag } from '../../api/types';

/** Thresholds are whole percents (the slider's steps), so 0.9 from the slider and from the curve are one key. */
export type Percent = number;

const PAGE_SIZE = 256;

/** One cache per signed-in Api: signing out forgets it. */
const caches = new WeakMap<Api, Map<string, Promise<unknown>>>();

function cached<T>(api: Api, key: string, load: () => Promise<T>): Promise<T> {
  const cache = caches.get(api) ?? new Map<string, Promise<unknown>>();
  caches.set(api, cache);
  const known = cache.get(key) as Promise<T> | undefined;
  if (known) return known;
  const loading = load();
  cache.set(key, loading);
  // A failure is not remembered: the next render asks again.
  loading.catch(() => cache.delete(key));
  return loading;
}

function iterationPath(projectId: string, iterationId: string): string {
  return `/projects/${projectId}/iterations/${iterationId}`;
}

export function performanceAt(api: Api, projectId: string, iterationId: string, threshold: Percent): Promise<IterationPerformance> {
  return cached(api, `performance ${iterationId} ${threshold}`, () =>
    api.training<IterationPerformance>('GET', `${iterationPath(projectId, iterationId)}/performance`, { query: { threshold: threshold / 100 } }),
  );
}

/** The iteration's tags as it trained with them, with how many of its images carried each. */
export function iterationTags(api: Api, projectId: string, iterationId: string): Promise<Tag[]> {
  return cached(api, `tags ${iterationId}`, () => api.training<Tag[]>('GET', `/projects/${projectId}/tags`, { query: { iterationId } }));
}

/** Every training image of the iteration with the held-out model's prediction, in pages of the API's maximum. */
export function imageResults(api: Api, projectId: string, iterationId: string): Promise<ImagePerformance[]> {
  return cached(api, `images ${iterationId}`, async () => {
    const path = `${iterationPath(projectId, iterationId)}/performance/images`;
    const count = await api.training<number>('GET', `${path}/count`);
    const pages: Promise<ImagePerformance[]>[] = [];
    for (let skip = 0; skip < count; skip += PAGE_SIZE) {
      pages.push(api.training<ImagePerformance[]>('GET', path, { query: { take: PAGE_SIZE, skip, orderBy: 'Oldest' } }));
    }
    return (await Promise.all(pages)).flat();
  });
}

/** The thresholds the precision/recall curve is drawn through. */
export const SWEEP: readonly Percent[] = Array.from({ length: 19 }, (_, i) => 5 + i * 5);

export interface SweepPoint {
  threshold: Percent;
  performance: IterationPerformance;
}

/** The performance at each sweep threshold, a few requests at a time so the slider's own requests are not queued behind 19. */
export function performanceSweep(api: Api, projectId: string, iterationId: string): Promise<SweepPoint[]> {
  return cached(api, `sweep ${iterationId}`, async () => {
    const points: SweepPoint[] = [];
    for (let i = 0; i < SWEEP.length; i += 4) {
      const batch = SWEEP.slice(i, i + 4);
      const answers = await Promise.all(batch.map((t) => performanceAt(api, projectId, iterationId, t)));
      batch.forEach((threshold, j) => points.push({ threshold, performance: answers[j] }));
    }
    return points;
  });
}
