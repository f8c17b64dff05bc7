/**
 * @module The configurations the model comparison measures: the chosen default (DEFAULT_TRAINING_CONFIG),
 * then each of its choices changed in turn, grouped by what changes.
 */
import { DEFAULT_TRAINING_CONFIG } from '../../server/ml/config';
import type { ColourNormalisation } from '../../server/ml/image';
import type { Layer } from '../../server/ml/mobilenet-v2';
import type { Candidate } from './evaluate';

const chosen: Omit<Candidate, 'name'> = {
  colour: DEFAULT_TRAINING_CONFIG.colour,
  layers: DEFAULT_TRAINING_CONFIG.layers,
  standardise: DEFAULT_TRAINING_CONFIG.standardise,
  l2: DEFAULT_TRAINING_CONFIG.l2,
  lambdas: DEFAULT_TRAINING_CONFIG.lambdas,
  trainViews: DEFAULT_TRAINING_CONFIG.trainViews,
  testViews: DEFAULT_TRAINING_CONFIG.testViews,
  scales: DEFAULT_TRAINING_CONFIG.scales,
  jitterCopies: 0,
};

const variant = (name: string, change: Partial<Candidate>): Candidate => ({ ...chosen, ...change, name });

const COLOURS: ColourNormalisation[] = ['imagenet', 'gray-world', 'mean-match', 'per-image'];
const SCALES: number[][] = [[], [160], [96], [112, 80]];
const VIEWS: [number, number][] = [[1, 1], [1, 2], [1, 8], [4, 4], [8, 8]];
const LAYERS: Layer[][] = [['stage320', 'final'], ['stage160', 'final'], ['stage96', 'stage160', 'final']];

export const candidates: Candidate[] = [
  variant('chosen: shades-of-grey, final, scales [112], train 1 view, test 4 views, centred, λ 0.003-0.3', {}),
  ...COLOURS.map((colour) => variant(`colour: ${colour}`, { colour })),
  ...SCALES.map((scales) => variant(`scales: [${scales.join(', ')}]`, { scales })),
  ...VIEWS.map(([trainViews, testViews]) => variant(`views: train ${trainViews}, test ${testViews}`, { trainViews, testViews })),
  ...LAYERS.map((layers) => variant(`layers: ${layers.join(' + ')}`, { layers })),
  variant('jitter: 1 colour-jittered copy', { jitterCopies: 1 }),
  variant('jitter: 2 colour-jittered copies', { jitterCopies: 2 }),
  variant('head: standardised, λ 0.003-1', { standardise: true, lambdas: [0.003, 0.01, 0.03, 0.1, 0.3, 1] }),
  variant('head: centred, λ 0.0001-0.03', { lambdas: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03] }),
  variant('head: centred, λ 0.0003-0.1', { lambdas: [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1] }),
  variant('head: unit-length features, standardised', { l2: true, standardise: true, lambdas: [0.003, 0.01, 0.03, 0.1, 0.3, 1] }),
  variant('baseline: imagenet colours, no scales, 1 view', { colour: 'imagenet', scales: [], testViews: 1 }),
];
