/** @module What the routes work with: the service's parts and settings, assembled by service.ts. */
import type { ServiceStore } from '../projects/context';
import type { Exporter } from '../projects/exports';
import type { Predictor } from '../projects/predictor';
import type { TrainingQueue } from '../projects/training-queue';
import type { FetchSlots } from '../projects/url-fetches';
import type { PortalBuilds } from '../portal/bundle';
import type { ConfiguredResource } from '../resources/resource';
import type { UploadLimits } from './admission';
import type { LinkSigner } from './links';

export interface AppContext {
  /** Shared by every resource: routes of the two APIs use `request.store`, their resource's view of it. */
  store: ServiceStore;
  queue: TrainingQueue;
  predictor: Predictor;
  exporter: Exporter;
  /** Builds the key-less links of stored images and export packages. */
  links: LinkSigner;
  /** Who may call the APIs: each resource with its keys. */
  resources: readonly ConfiguredResource[];
  /** Allows image URLs that resolve to loopback or private addresses (tests, closed classrooms). */
  allowPrivateUrls: boolean;
  /** The service's slots for fetching image URLs, shared by the resources in turn (see url-fetches.ts). */
  urlFetches: FetchSlots;
  /** The web portal's built files (a rebuild per page load with --portal-dev). */
  portal: PortalBuilds;
  /** The Host names requests may carry (see host-check.ts); image links are built from these only. */
  acceptedHosts: readonly string[];
  /** Bounds on image bodies received at once (see admission.ts). */
  uploadLimits: UploadLimits;
  log: (line: string) => void;
}
