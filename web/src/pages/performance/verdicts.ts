/** @module Which held-out results are wrong (top tag is not the image's) or doubtful (right, but below the threshold), most confident mistakes first. */
import type { ImagePerformance, Prediction } from '../../api/types';

export type Verdict = 'wrong' | 'doubtful' | 'right';

export interface ImageVerdict {
  image: ImagePerformance;
  /** The held-out model's most probable tag. */
  top: Prediction | undefined;
  verdict: Verdict;
}

export function topPrediction(image: ImagePerformance): Prediction | undefined {
  return image.predictions.reduce<Prediction | undefined>((best, p) => (!best || p.probability > best.probability ? p : best), undefined);
}

export function judge(image: ImagePerformance, threshold: number): ImageVerdict {
  const top = topPrediction(image);
  const right = !!top && image.tags.some((t) => t.tagId === top.tagId);
  return { image, top, verdict: !right ? 'wrong' : top.probability < threshold ? 'doubtful' : 'right' };
}

/** Wrong first, the most confident of them first (they hurt most); then the least sure of the rest. */
export function byConcern(a: ImageVerdict, b: ImageVerdict): number {
  const wrongA = a.verdict === 'wrong';
  const wrongB = b.verdict === 'wrong';
  if (wrongA !== wrongB) return wrongA ? -1 : 1;
  const pa = a.top?.probability ?? 0;
  const pb = b.top?.probability ?? 0;
  return wrongA ? pb - pa : pa - pb;
}

/** What the list shows: mistakes and doubts, one of them, or every image of a tag. */
export type ResultFilter = { kind: 'problems' | 'wrong' | 'doubtful' } | { kind: 'tag'; tagId: string };

export function matches(filter: ResultFilter, judged: ImageVerdict): boolean {
  switch (filter.kind) {
    case 'problems':
      return judged.verdict !== 'right';
    case 'wrong':
    case 'doubtful':
      return judged.verdict === filter.kind;
    case 'tag':
      return judged.image.tags.some((t) => t.tagId === filter.tagId);
  }
}
