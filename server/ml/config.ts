/** @module The training configuration chosen by bench/ml-experiment.ts, shared by every ML module as defaults. */
import { VIEWS, type ColourNormalisation, type View } from './image';

export interface TrainingConfig {
  /** How many of VIEWS (a prefix) to embed per image; the feature cache stores exactly these. */
  views: number;
  /** Views per image used as training samples (each weighted 1/trainViews). */
  trainViews: number;
  /** Views averaged at prediction time (held-out CV predictions and serving). */
  testViews: number;
  /** Pixel normalisation before the backbone. */
  colour: ColourNormalisation;
  /** Standardise features with the training mean/std. */
  standardise: boolean;
  /** Scale feature vectors to unit length first. */
  l2: boolean;
  folds: number;
  /** Candidate L2 strengths (on the weighted mean loss). */
  lambdas: number[];
  /** Seed of the fold assignment. */
  seed: number;
  /** Optimiser stop: max |gradient| of the mean loss. */
  gradTol: number;
}

export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = Object.freeze({
  views: 1,
  trainViews: 1,
  testViews: 1,
  colour: 'per-image',
  standardise: true,
  l2: false,
  folds: 5,
  lambdas: [1e-3, 1e-2, 1e-1],
  seed: 0,
  gradTol: 1e-4,
});

/** The view list a configuration embeds. */
export function configViews(config: Pick<TrainingConfig, 'views'> = DEFAULT_TRAINING_CONFIG): View[] {
  return VIEWS.slice(0, config.views);
}
