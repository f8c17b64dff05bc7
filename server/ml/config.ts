/** @module The training configuration chosen by bench/ml-experiment.ts, shared by every ML module as defaults. */
import { fullSize, INPUT_SIZE, variantName, VIEWS, type ColourNormalisation, type Variant } from './image';
import type { Layer } from './mobilenet-v2';

export interface TrainingConfig {
  /** Pixel normalisation before the backbone (inside its graph, so exports do the same). */
  colour: ColourNormalisation;
  /** Layers of the backbone whose pooled activations, concatenated, are the head's features (see mobilenet-v2.ts). */
  layers: Layer[];
  /** Dihedral views (a prefix of VIEWS) of each image used as training samples, at every training size. */
  trainViews: number;
  /** Views (a prefix of VIEWS) averaged at prediction, at 224: held-out predictions, serving and exports alike. */
  testViews: number;
  /** Smaller input sides each training image is also seen at (zoomed out: the same ground in fewer pixels). */
  scales: number[];
  /** Standardise features with the training mean/std. */
  standardise: boolean;
  /** Scale feature vectors to unit length first. */
  l2: boolean;
  folds: number;
  /** Candidate L2 strengths (on the weighted mean loss). */
  lambdas: number[];
  /** Seed of the fold assignment. */
  seed: number;
  /** Optimiser stop: max |gradient| of the mean loss (1e-3 gives the same held-out numbers as 1e-5, 5x faster). */
  gradTol: number;
}

/** Chosen from the table of bench/ml-experiment.ts (the README quotes it): see "How it trains". */
export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = Object.freeze<TrainingConfig>({
  colour: 'shades-of-grey',
  layers: ['final'],
  trainViews: 1,
  testViews: 4,
  scales: [112],
  standardise: false,
  l2: false,
  folds: 5,
  lambdas: [0.003, 0.01, 0.03, 0.1, 0.3],
  seed: 0,
  gradTol: 1e-3,
});

/** Images per backbone session run (measured fastest on the 2-core machine, see bench/ml-experiment.ts). */
export const DEFAULT_BATCH_SIZE = 8;

type ViewConfig = Pick<TrainingConfig, 'trainViews' | 'testViews' | 'scales'>;

/** What the service predicts from: the full-size image under the first testViews views. */
export function predictVariants(config: ViewConfig = DEFAULT_TRAINING_CONFIG): Variant[] {
  return fullSize(VIEWS.slice(0, config.testViews));
}

/** What the head trains on: the first trainViews views at 224 and at every scale. */
export function trainVariants(config: ViewConfig = DEFAULT_TRAINING_CONFIG): Variant[] {
  return [INPUT_SIZE, ...config.scales].flatMap((size) => VIEWS.slice(0, config.trainViews).map((view) => ({ view, size })));
}

/** Every variant training embeds (and the feature cache keeps): the prediction ones first, then the rest. */
export function embeddedVariants(config: ViewConfig = DEFAULT_TRAINING_CONFIG): Variant[] {
  const all = new Map([...predictVariants(config), ...trainVariants(config)].map((v) => [variantName(v), v]));
  return [...all.values()];
}

/** The augmentation methods Azure lists in a project's `imageProcessingSettings`, by its names. */
export const AUGMENTATION_METHODS = ['rotation', 'scaling', 'translation', 'horizontal flip', 'equalize', 'solarize', 'padtosquare'] as const;

/**
 * Which of them training really uses: turned or mirrored training copies (views beyond the first
 * in trainViews) and zoomed-out copies (scales). Averaging views at prediction is test-time
 * averaging, and the colour balance is applied to every image, so neither is an augmentation.
 */
export function trainingAugmentations(config: ViewConfig = DEFAULT_TRAINING_CONFIG): Record<(typeof AUGMENTATION_METHODS)[number], boolean> {
  const views = VIEWS.slice(0, config.trainViews);
  const methods = Object.fromEntries(AUGMENTATION_METHODS.map((m) => [m, false])) as Record<(typeof AUGMENTATION_METHODS)[number], boolean>;
  methods.rotation = views.some((v) => v.includes('rot'));
  methods.scaling = config.scales.length > 0;
  methods['horizontal flip'] = views.some((v) => v.startsWith('flip'));
  return methods;
}
