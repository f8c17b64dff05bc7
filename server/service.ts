/** @module Assembles the local Custom Vision service: storage, trainer, predictor and HTTP app; starts and stops it. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ServiceConfig } from './config';
import { forSingleResource } from './http/admission';
import { buildApp } from './http/app';
import { acceptedHosts } from './http/host-check';
import { LinkSigner } from './http/links';
import { writePackage } from './export/packages';
import { LocalClassifier } from './ml/classifier';
import { DEFAULT_TRAINING_CONFIG } from './ml/config';
import { featureGraph } from './ml/graph';
import { readMobileNetV2Weights } from './ml/mobilenet-v2';
import { WorkerTrainer } from './ml/trainer';
import { serviceStore, type ServiceStore, type SharedStore } from './projects/context';
import { Exporter } from './projects/exports';
import { Predictor } from './projects/predictor';
import { TrainingQueue } from './projects/training-queue';
import { FetchSlots } from './projects/url-fetches';
import { withQuotas } from './resources/quotas';
import { defaultResource } from './resources/resource';
import { BlobStore } from './store/blobs';
import { PortalBuilds } from './portal/bundle';
import { openDatabase } from './store/db';
import { openRepositories } from './store/repositories';

export interface RunningService {
  url: string;
  store: ServiceStore;
  queue: TrainingQueue;
  close(): Promise<void>;
}

/** The secret that signs image URIs; kept in the data folder so URIs stay valid across restarts. */
function signingSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'uri-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

export async function startService(config: ServiceConfig, log: (line: string) => void = console.log): Promise<RunningService> {
  if (!existsSync(config.weightsDir)) {
    throw new Error(`The backbone weights are missing at ${config.weightsDir}: run \`npm run setup\` first (or pass --model).`);
  }
  // Builds the feature graph once here (0.2 s, no ONNX Runtime): a damaged weights folder fails now,
  // with its reason, and the fingerprint tells heads trained on an earlier backbone apart.
  const { colour, layers } = DEFAULT_TRAINING_CONFIG;
  const { fingerprint } = featureGraph(readMobileNetV2Weights(config.weightsDir), { colour, layers });
  mkdirSync(config.dataDir, { recursive: true });
  const databasePath = path.join(config.dataDir, 'service.sqlite');
  const blobRoot = path.join(config.dataDir, 'images');
  const db = openDatabase(databasePath);
  const { projectsOf, ...repositories } = openRepositories(db);
  const shared: SharedStore = { ...repositories, blobs: new BlobStore(blobRoot), backbone: fingerprint };
  const store = serviceStore(shared, projectsOf);
  sweepBlobs(store);

  const queue = new TrainingQueue(store, new WorkerTrainer({ weightsDir: config.weightsDir, databasePath, blobRoot }), log);
  const classifier = new LocalClassifier(config.weightsDir);
  const predictor = new Predictor(store, classifier);
  const exporter = new Exporter(store, config.dataDir, (source, target) => writePackage(source, config.weightsDir, target), log);
  exporter.sweep();
  const app = await buildApp({
    store,
    queue,
    predictor,
    exporter,
    links: new LinkSigner(signingSecret(config.dataDir)),
    // Without a resources file, today's single resource: every key of the command line acts for it.
    // Quotas a resource's entry leaves out are Azure S0's; the lone resource of the lab has none.
    resources: withQuotas(config.resources ?? [defaultResource(config.trainingKeys, config.predictionKeys)], config.resources !== undefined),
    uploadLimits: config.resources ? config.uploadLimits : forSingleResource(config.uploadLimits),
    allowPrivateUrls: config.allowPrivateUrls,
    urlFetches: new FetchSlots(config.maxUrlFetches),
    portal: new PortalBuilds(config.portalDev, log),
    acceptedHosts: acceptedHosts({ bindAddress: config.host, publicHosts: config.publicHosts }),
    log,
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const resumed = queue.resumeInterrupted();
  if (resumed) log(`Resuming ${resumed} iteration(s) interrupted while training.`);
  // After listening: a rebuild's synchronous graph work must not hold back the start.
  exporter.rebuildMissing();

  return {
    url: `http://${host}:${address.port}`,
    store,
    queue,
    async close() {
      await app.close();
      await queue.close();
      await exporter.close();
      await classifier.close();
      db.close();
    },
  };
}

/** Blobs left unreferenced (a crash between writing bytes and committing rows) are removed at start. */
function sweepBlobs(store: SharedStore): void {
  const referenced = store.referencedHashes();
  store.blobs.sweep((hash) => referenced.has(hash));
}
