/** @module The service's settings from command-line flags and environment variables, with the lab's defaults. */
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backboneWeightsDir } from '../datasets/paths';
import { LOCAL_SERVICE } from '../lib/src/shared';
import { DEFAULT_UPLOAD_LIMITS, uploadLimits, type UploadLimits } from './http/admission';
import { MAX_BODY_BYTES } from './http/body-parsers';
import { DEFAULT_URL_FETCHES, FETCHES_PER_REQUEST } from './projects/url-fetches';
import { checkExposure } from './resources/exposure';
import { defaultResource, type ResourceDefinition } from './resources/resource';
import { loadResourcesFile } from './resources/resources-file';

export interface ServiceConfig {
  host: string;
  port: number;
  dataDir: string;
  /** The keys of the single resource `default`, when there is no resources file. */
  trainingKeys: string[];
  predictionKeys: string[];
  /** The resources file's resources (--resources); without it, the one resource `default` with the keys above. */
  resources?: ResourceDefinition[];
  /** The float MobileNetV2's per-layer weights (see server/ml/mobilenet-v2.ts). */
  weightsDir: string;
  allowPrivateUrls: boolean;
  /** Rebuild the web portal on every page load (for working on web/). */
  portalDev: boolean;
  /** Host names the service answers to besides loopback names and the bound address (the Host check against DNS rebinding). */
  publicHosts: string[];
  /** Bounds on image bodies received at once, service-wide and per resource (see server/http/admission.ts). */
  uploadLimits: UploadLimits;
  /** Image URLs fetched at once, service-wide (see server/projects/url-fetches.ts). */
  maxUrlFetches: number;
}

const MIB = 1024 * 1024;

export const USAGE = `Usage: npm run serve -- [options]

Options (environment variable in brackets):
  --host <address>          address to bind [CVLAB_HOST] (default ${LOCAL_SERVICE.host})
  --port <n>                port, 0 for any free one [CVLAB_PORT] (default ${LOCAL_SERVICE.port})
  --data-dir <dir>          where projects, images and models are kept [CVLAB_DATA_DIR] (default ${LOCAL_SERVICE.dataDir})
  --training-key <key>      Training-Key to accept, comma-separated for several [CVLAB_TRAINING_KEY] (default ${LOCAL_SERVICE.trainingKey})
  --prediction-key <key>    Prediction-Key to accept [CVLAB_PREDICTION_KEY] (default ${LOCAL_SERVICE.predictionKey})
  --resources <file>        a classroom: one resource per student, each with its own keys and projects,
                            from a JSON file (\`npm run classroom\` writes one) instead of the two keys above [CVLAB_RESOURCES]
  --model <dir>             backbone weights folder [CVLAB_MODEL] (default: the provisioned float MobileNetV2)
  --allow-private-urls      let image URLs point at loopback or private addresses [CVLAB_ALLOW_PRIVATE_URLS=1]
  --portal-dev              rebuild the web portal (web/) on every page load [CVLAB_PORTAL_DEV=1]
  --public-host <name>      a host name clients reach the service by, comma-separated for several [CVLAB_PUBLIC_HOST];
                            requests naming any other Host than these, localhost and the bound address get 421
  --max-uploads <n>         image uploads (and image predictions) received at once, service-wide; more get 503
                            with Retry-After [CVLAB_MAX_UPLOADS] (default ${DEFAULT_UPLOAD_LIMITS.maxUploads})
  --max-upload-mb <n>       MB of image bodies held at once, service-wide; more get 503 [CVLAB_MAX_UPLOAD_MB]
                            (default ${DEFAULT_UPLOAD_LIMITS.maxUploadBytes / MIB}); with a resources file, one resource may hold a quarter (at least ${MAX_BODY_BYTES / MIB} MB)
  --max-uploads-per-resource <n>
                            image uploads one resource may have in progress at once, with a resources file;
                            more get 429 with Retry-After [CVLAB_MAX_UPLOADS_PER_RESOURCE] (default ${DEFAULT_UPLOAD_LIMITS.maxUploadsPerResource})
                            Requests that give image URLs (or stored predictions) to add or classify count as uploads
                            too, of 6 MB per image, while their images are fetched and held.
  --max-url-fetches <n>     image URLs fetched at once, service-wide; more wait their turn, the resources taking
                            turns, a request's ${FETCHES_PER_REQUEST} at a time at most [CVLAB_MAX_URL_FETCHES] (default ${DEFAULT_URL_FETCHES})
  --help                    show this help`;

/** A whole number of at least 1, from a flag or its environment variable. */
function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Invalid ${name} "${value}": give a whole number of at least 1.`);
  return n;
}

function keys(value: string): string[] {
  return value.split(',').map((k) => k.trim()).filter(Boolean);
}

/** Host names as a Host header carries them, without port: a DNS name or an IP address. */
function publicHosts(value: string): string[] {
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  for (const name of names) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(name) && !isIP(name.replace(/^\[|\]$/g, ''))) {
      throw new Error(`Invalid public host "${name}": give a host name or IP address without port (any port is accepted).`);
    }
  }
  return names;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): ServiceConfig | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'training-key': { type: 'string' },
      'prediction-key': { type: 'string' },
      resources: { type: 'string' },
      model: { type: 'string' },
      'allow-private-urls': { type: 'boolean' },
      'portal-dev': { type: 'boolean' },
      'public-host': { type: 'string' },
      'max-uploads': { type: 'string' },
      'max-upload-mb': { type: 'string' },
      'max-uploads-per-resource': { type: 'string' },
      'max-url-fetches': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const port = Number(values.port ?? env.CVLAB_PORT ?? LOCAL_SERVICE.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port "${values.port ?? env.CVLAB_PORT}": give 0 to 65535.`);
  const trainingKeys = keys(values['training-key'] ?? env.CVLAB_TRAINING_KEY ?? LOCAL_SERVICE.trainingKey);
  const predictionKeys = keys(values['prediction-key'] ?? env.CVLAB_PREDICTION_KEY ?? LOCAL_SERVICE.predictionKey);
  if (!trainingKeys.length || !predictionKeys.length) throw new Error('The training and prediction keys must not be empty.');
  const resources = readResources(values, env, cwd);
  const host = values.host ?? env.CVLAB_HOST ?? LOCAL_SERVICE.host;
  checkExposure(host, resources ?? [defaultResource(trainingKeys, predictionKeys)]);
  return {
    host,
    port,
    dataDir: path.resolve(cwd, values['data-dir'] ?? env.CVLAB_DATA_DIR ?? LOCAL_SERVICE.dataDir),
    trainingKeys,
    predictionKeys,
    resources,
    weightsDir: path.resolve(cwd, values.model ?? env.CVLAB_MODEL ?? backboneWeightsDir()),
    allowPrivateUrls: values['allow-private-urls'] ?? /^(1|true|yes)$/i.test(env.CVLAB_ALLOW_PRIVATE_URLS ?? ''),
    portalDev: values['portal-dev'] ?? /^(1|true|yes)$/i.test(env.CVLAB_PORTAL_DEV ?? ''),
    publicHosts: publicHosts(values['public-host'] ?? env.CVLAB_PUBLIC_HOST ?? ''),
    uploadLimits: uploadLimits({
      maxUploads: positiveInteger('--max-uploads', values['max-uploads'] ?? env.CVLAB_MAX_UPLOADS, DEFAULT_UPLOAD_LIMITS.maxUploads),
      maxUploadMiB: positiveInteger('--max-upload-mb', values['max-upload-mb'] ?? env.CVLAB_MAX_UPLOAD_MB, DEFAULT_UPLOAD_LIMITS.maxUploadBytes / MIB),
      maxUploadsPerResource: positiveInteger(
        '--max-uploads-per-resource',
        values['max-uploads-per-resource'] ?? env.CVLAB_MAX_UPLOADS_PER_RESOURCE,
        DEFAULT_UPLOAD_LIMITS.maxUploadsPerResource,
      ),
    }),
    maxUrlFetches: positiveInteger('--max-url-fetches', values['max-url-fetches'] ?? env.CVLAB_MAX_URL_FETCHES, DEFAULT_URL_FETCHES),
  };
}

/** The resources file's resources, if one is given; its keys replace the two key options, which must then be left out. */
function readResources(values: Record<string, unknown>, env: NodeJS.ProcessEnv, cwd: string): ResourceDefinition[] | undefined {
  const file = (values.resources as string | undefined) ?? env.CVLAB_RESOURCES;
  if (!file) return undefined;
  const keyOptions = [
    ['--training-key', values['training-key']],
    ['--prediction-key', values['prediction-key']],
    ['CVLAB_TRAINING_KEY', env.CVLAB_TRAINING_KEY],
    ['CVLAB_PREDICTION_KEY', env.CVLAB_PREDICTION_KEY],
  ].filter(([, value]) => value !== undefined);
  if (keyOptions.length) {
    throw new Error(`With a resources file the keys are the file's: leave out ${keyOptions.map(([name]) => name).join(' and ')}.`);
  }
  return loadResourcesFile(path.resolve(cwd, file));
}
