/** @module The service's settings from command-line flags and environment variables, with the lab's defaults. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backboneWeightsDir } from '../datasets/paths';
import { LOCAL_SERVICE } from '../lib/src/shared';

export interface ServiceConfig {
  host: string;
  port: number;
  dataDir: string;
  trainingKeys: string[];
  predictionKeys: string[];
  /** The float MobileNetV2's per-layer weights (see server/ml/mobilenet-v2.ts). */
  weightsDir: string;
  allowPrivateUrls: boolean;
  /** Rebuild the web portal on every page load (for working on web/). */
  portalDev: boolean;
}

export const USAGE = `Usage: npm run serve -- [options]

Options (environment variable in brackets):
  --host <address>          address to bind [CVLAB_HOST] (default ${LOCAL_SERVICE.host})
  --port <n>                port, 0 for any free one [CVLAB_PORT] (default ${LOCAL_SERVICE.port})
  --data-dir <dir>          where projects, images and models are kept [CVLAB_DATA_DIR] (default ${LOCAL_SERVICE.dataDir})
  --training-key <key>      Training-Key to accept, comma-separated for several [CVLAB_TRAINING_KEY] (default ${LOCAL_SERVICE.trainingKey})
  --prediction-key <key>    Prediction-Key to accept [CVLAB_PREDICTION_KEY] (default ${LOCAL_SERVICE.predictionKey})
  --model <dir>             backbone weights folder [CVLAB_MODEL] (default: the provisioned float MobileNetV2)
  --allow-private-urls      let image URLs point at loopback or private addresses [CVLAB_ALLOW_PRIVATE_URLS=1]
  --portal-dev              rebuild the web portal (web/) on every page load [CVLAB_PORTAL_DEV=1]
  --help                    show this help`;

function keys(value: string): string[] {
  return value.split(',').map((k) => k.trim()).filter(Boolean);
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
      model: { type: 'string' },
      'allow-private-urls': { type: 'boolean' },
      'portal-dev': { type: 'boolean' },
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
  return {
    host: values.host ?? env.CVLAB_HOST ?? LOCAL_SERVICE.host,
    port,
    dataDir: path.resolve(cwd, values['data-dir'] ?? env.CVLAB_DATA_DIR ?? LOCAL_SERVICE.dataDir),
    trainingKeys,
    predictionKeys,
    weightsDir: path.resolve(cwd, values.model ?? env.CVLAB_MODEL ?? backboneWeightsDir()),
    allowPrivateUrls: values['allow-private-urls'] ?? /^(1|true|yes)$/i.test(env.CVLAB_ALLOW_PRIVATE_URLS ?? ''),
    portalDev: values['portal-dev'] ?? /^(1|true|yes)$/i.test(env.CVLAB_PORTAL_DEV ?? ''),
  };
}
