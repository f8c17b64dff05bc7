/** @module What the routes work with: the service's parts and settings, assembled by service.ts. */
import type { Store } from '../projects/context';
import type { Exporter } from '../projects/exports';
import type { Predictor } from '../projects/predictor';
import type { TrainingQueue } from '../projects/training-queue';
import type { PortalBuilds } from '../portal/bundle';
import type { LinkSigner } from './links';

export interface AppContext {
  store: Store;
  queue: TrainingQueue;
  predictor: Predictor;
  exporter: Exporter;
  /** Builds the key-less links of stored images and export packages. */
  links: LinkSigner;
  trainingKeys: string[];
  predictionKeys: string[];
  /** Allows image URLs that resolve to loopback or private addresses (tests, closed classrooms). */
  allowPrivateUrls: boolean;
  /** The web portal's built files (a rebuild per page load with --portal-dev). */
  portal: PortalBuilds;
  log: (line: string) => void;
}
